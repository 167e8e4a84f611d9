/**
 * @module registry/kysely-api-key-store
 * ApiKeyStore over kysely. Only the prefix and the hash are stored; rotation creates the
 * new key and retires the old one in one transaction.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable, Transaction } from 'kysely'
import { InvalidArgumentError } from '../core/errors.ts'
import { API_KEY_ROLES, type ApiKeyRecord, type ApiKeyStore, type NewApiKey } from './api-key-store.ts'
import { ApiKeyNotFoundError, RegistryConflictError, RegistryPreconditionError } from './registry-errors.ts'
import { constraintViolationOf, fromJsonText, toDate, toNullableDate } from './registry-columns.ts'
import type { RegistryContext } from './registry-context.ts'
import { assertOneOf } from './registry-names.ts'
import type { ApiKeysTable, RegistryDatabase } from './registry-schema.ts'

type Db = Kysely<RegistryDatabase> | Transaction<RegistryDatabase>

export class KyselyApiKeyStore implements ApiKeyStore {
  readonly #ctx: RegistryContext

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx
  }

  async create(key: NewApiKey): Promise<ApiKeyRecord> {
    return this.#insert(this.#ctx.db, key, null)
  }

  async get(id: string): Promise<ApiKeyRecord> {
    return toApiKeyRecord(await row(this.#ctx.db, id))
  }

  async findByPrefix(prefix: string): Promise<ApiKeyRecord | null> {
    const found = await this.#ctx.db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst()
    return found === undefined ? null : toApiKeyRecord(found)
  }

  async list(options: { readonly includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
    let query = this.#ctx.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id')
    if (options.includeRevoked !== true) query = query.where('revoked_at', 'is', null)
    return (await query.execute()).map(toApiKeyRecord)
  }

  async revoke(id: string): Promise<ApiKeyRecord> {
    await this.#ctx.db
      .updateTable('api_keys')
      .set({ revoked_at: this.#ctx.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute()
    return this.get(id)
  }

  async rotate(id: string, next: NewApiKey, options: { readonly oldKeyExpiresAt?: Date } = {}): Promise<ApiKeyRecord> {
    return this.#ctx.db.transaction().execute(async (trx) => {
      const old = await row(trx, id)
      if (old.revoked_at !== null) throw new RegistryPreconditionError(`API key '${id}' is revoked; create a new key instead`)
      const created = await this.#insert(trx, next, old.id)
      const retire = options.oldKeyExpiresAt === undefined
        ? { revoked_at: old.revoked_at ?? this.#ctx.now() }
        : { expires_at: Math.min(options.oldKeyExpiresAt.getTime(), old.expires_at ?? Number.MAX_SAFE_INTEGER) }
      await trx.updateTable('api_keys').set(retire).where('id', '=', id).execute()
      return created
    })
  }

  async #insert(db: Db, key: NewApiKey, rotatedFrom: string | null): Promise<ApiKeyRecord> {
    assertOneOf('key role', key.role, API_KEY_ROLES)
    if (key.prefix === '' || key.hash === '') throw new InvalidArgumentError('API key prefix and hash must not be empty')
    const values: Selectable<ApiKeysTable> = {
      id: key.id ?? randomUUID(),
      prefix: key.prefix,
      hash: key.hash,
      name: key.name,
      role: key.role,
      allowed_models: key.allowedModels == null ? null : JSON.stringify(key.allowedModels),
      scopes: key.scopes && key.scopes.length > 0 ? JSON.stringify(key.scopes) : null,
      created_at: this.#ctx.now(),
      revoked_at: null,
      expires_at: key.expiresAt?.getTime() ?? null,
      rotated_from: rotatedFrom,
    }
    try {
      await db.insertInto('api_keys').values(values).execute()
    } catch (error) {
      if (constraintViolationOf(error) === 'unique') {
        throw new RegistryConflictError(`an API key with id '${values.id}' or prefix '${values.prefix}' already exists`, { cause: error })
      }
      throw error
    }
    return toApiKeyRecord(values)
  }
}

async function row(db: Db, id: string): Promise<Selectable<ApiKeysTable>> {
  const found = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst()
  if (found === undefined) throw new ApiKeyNotFoundError(id)
  return found
}

function toApiKeyRecord(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    prefix: row.prefix,
    hash: row.hash,
    name: row.name,
    role: row.role as ApiKeyRecord['role'],
    allowedModels: fromJsonText<string[]>(row.allowed_models),
    scopes: fromJsonText<string[]>(row.scopes) ?? [],
    createdAt: toDate(row.created_at),
    revokedAt: toNullableDate(row.revoked_at),
    expiresAt: toNullableDate(row.expires_at),
    rotatedFrom: row.rotated_from,
  }
}
