/**
 * @module control/admin-key-bootstrap
 * Makes sure a server has an admin key before it serves. With MAAS_ADMIN_KEY (setting
 * `adminKey`) that key's hash is stored unless it already is, so a deployment can set or
 * change it at any start. Without it, and with no active admin key in the registry (a first
 * start), a new key is generated and written to `<dataDir>/admin-key` with mode 0600: the
 * file is created exclusively and never overwritten, and only its path is reported, never
 * the key. Transport-free: the server logs the result.
 */
import { open, mkdir, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { InvalidArgumentError } from '../core/errors.ts'
import { RegistryPreconditionError } from '../registry/registry-errors.ts'
import { API_KEY_FORMAT, describeApiKey, generateApiKey, splitApiKey } from './api-key.ts'
import type { KeyService } from './key-service.ts'

/** The file a generated admin key is written to, inside the data directory. */
export const ADMIN_KEY_FILE = 'admin-key'
/** Name of the bootstrap admin key, and the audit actor of the bootstrap. */
export const ADMIN_KEY_NAME = 'admin'
const SYSTEM = 'system'

export interface AdminKeyBootstrapOptions {
  readonly keys: KeyService
  readonly dataDir: string
  /** MAAS_ADMIN_KEY, when set. */
  readonly adminKey?: string
}

/** What the bootstrap did; `prefix` is the public `maas_<prefix>_…` form. */
export type AdminKeyBootstrap =
  | { readonly kind: 'present' }
  | { readonly kind: 'configured'; readonly prefix: string; readonly added: boolean }
  | { readonly kind: 'generated'; readonly prefix: string; readonly path: string }

/**
 * Ensures an admin key. INVALID_ARGUMENT for a malformed MAAS_ADMIN_KEY; FAILED_PRECONDITION
 * for a MAAS_ADMIN_KEY that is stored but revoked, expired or not an admin key, or whose
 * prefix another key holds, and when a key must be generated but the file already exists.
 */
export async function bootstrapAdminKey(options: AdminKeyBootstrapOptions): Promise<AdminKeyBootstrap> {
  if (options.adminKey !== undefined) return registerConfiguredKey(options.keys, options.adminKey)
  if (await options.keys.hasActiveAdmin()) return { kind: 'present' }
  return generateKeyFile(options.keys, options.dataDir)
}

async function registerConfiguredKey(keys: KeyService, adminKey: string): Promise<AdminKeyBootstrap> {
  const parsed = splitApiKey(adminKey.trim())
  // The message never echoes the value: it is meant to be a secret, even when mistyped.
  if (parsed === null) {
    throw new InvalidArgumentError(`MAAS_ADMIN_KEY (setting adminKey) is not an API key: expected ${API_KEY_FORMAT}; 'maas keys generate' prints one`)
  }
  const key = adminKey.trim()
  const shown = describeApiKey(parsed.prefix)
  const stored = await keys.findByPrefix(parsed.prefix)
  if (stored === null) {
    await keys.register(key, { name: ADMIN_KEY_NAME, role: 'admin' }, SYSTEM)
    return { kind: 'configured', prefix: shown, added: true }
  }
  const refuse = (why: string) => new RegistryPreconditionError(`MAAS_ADMIN_KEY ${shown} ${why}; set a new key`)
  if (!keys.verify(key, stored)) throw refuse('has the prefix of another stored key')
  if (stored.role !== 'admin') throw refuse(`is stored as a ${stored.role} key (id ${stored.id})`)
  if (stored.revokedAt !== null) throw refuse(`was revoked at ${stored.revokedAt.toISOString()}`)
  const info = await keys.get(stored.id)
  if (info.status === 'expired') throw refuse(`expired at ${stored.expiresAt!.toISOString()}`)
  return { kind: 'configured', prefix: shown, added: false }
}

async function generateKeyFile(keys: KeyService, dataDir: string): Promise<AdminKeyBootstrap> {
  await mkdir(dataDir, { recursive: true })
  const file = path.join(dataDir, ADMIN_KEY_FILE)
  let handle: FileHandle
  try {
    // 'wx': fails if the file exists, so an earlier key (or anything else) is never overwritten.
    handle = await open(file, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    throw new RegistryPreconditionError(
      `the registry has no active admin API key and ${file} already exists (it is never overwritten); ` +
        'delete it to have a new admin key written there, or set MAAS_ADMIN_KEY',
    )
  }
  const { key, prefix } = generateApiKey()
  try {
    // The umask may only remove bits; chmod makes the mode exactly 0600 whatever it is.
    await handle.chmod(0o600)
    // The file first, the registry second: a key stored but never written would lock everyone out.
    await handle.writeFile(`${key}\n`, 'utf8')
    await handle.sync()
    await handle.close()
    await keys.register(key, { name: ADMIN_KEY_NAME, role: 'admin' }, SYSTEM, 'bootstrap')
    return { kind: 'generated', prefix: describeApiKey(prefix), path: file }
  } catch (error) {
    await handle.close().catch(() => {})
    await unlink(file).catch(() => {})
    throw error
  }
}
