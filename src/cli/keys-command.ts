/**
 * @module cli/keys-command
 * `maas keys create|list|show|revoke|rotate|generate`: API key management against a running
 * server over `/v1/keys`. A new key is printed once, alone on stdout (so that
 * `KEY=$(maas keys create …)` works); what it is goes to stderr. Exit codes: 0 done, 1 the
 * server refused or could not be reached, 2 a bad command line.
 */
import { parseArgs } from 'node:util'
import { generateApiKey } from '../control/api-key.ts'
import { AccessRequestError, PROCESS_IO, clientFor, queryString, type CommandIo } from './keys/access-client.ts'
import { parseDuration } from './keys/duration.ts'
import { formatTable, formatTime } from './models/format-table.ts'

export const KEYS_USAGE = `usage: maas keys <verb> [options]

verbs:
  create --role admin|publisher|consumer [--name N] [--models a,b] [--expires-in 30d]
                        make a key; it is printed once and cannot be shown again
  list [--all]          the keys (revoked ones too with --all); never their secrets
  show ID               one key
  revoke ID             revoke a key now
  rotate ID [--grace 1h]
                        a new key with the same name, role and models; the old key keeps
                        working for the grace period (default 1h; 0 revokes it now)
  generate              print a new random key without contacting a server (for MAAS_ADMIN_KEY)

options:
  --url URL        server address (MAAS_URL; default http://127.0.0.1:8000)
  --api-key KEY    an admin key, sent as Authorization: Bearer (MAAS_API_KEY; the variable
                   keeps it out of the process list)
  --json           print the server's JSON instead of text
  -h, --help       show this help`

class UsageError extends Error {}

export async function runKeys(argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        role: { type: 'string' }, name: { type: 'string' }, models: { type: 'string' }, scopes: { type: 'string' }, 'expires-in': { type: 'string' },
        all: { type: 'boolean' }, grace: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    })
  } catch (error) {
    io.stderr(`maas keys: ${(error as Error).message}\n\n${KEYS_USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const [verb, ...args] = positionals
  if (values.help || verb === undefined || verb === 'help') {
    io.stdout(KEYS_USAGE)
    return verb === undefined && !values.help ? 2 : 0
  }
  const client = clientFor(values, io.env)
  const print = (json: unknown, text: () => string) => io.stdout(values.json ? JSON.stringify(json, null, 2) : text())
  try {
    switch (verb) {
      case 'create': {
        expectArgs(args, 0, 'create')
        if (values.role === undefined) throw new UsageError('create needs --role admin|publisher|consumer')
        const expiresIn = values['expires-in'] === undefined ? undefined : durationArg(values['expires-in'], '--expires-in')
        if (expiresIn === 0) throw new UsageError('--expires-in must be longer than 0')
        const created = await client.call('POST', '/v1/keys', {
          role: values.role,
          ...(values.name !== undefined && { name: values.name }),
          ...(values.models !== undefined && { models: values.models.split(',').map((model) => model.trim()).filter((model) => model !== '') }),
          ...(values.scopes !== undefined && { scopes: values.scopes.split(',').map((scope) => scope.trim()).filter((scope) => scope !== '') }),
          ...(expiresIn !== undefined && { expires_in_seconds: expiresIn }),
        })
        if (values.json) {
          io.stdout(JSON.stringify(created, null, 2))
          return 0
        }
        io.stdout(created.key)
        io.stderr(`created ${describe(created)}${created.expires_at ? `, expires ${formatTime(created.expires_at)}` : ''}`)
        io.stderr('store the key now: it is shown once and cannot be recovered')
        return 0
      }
      case 'list': {
        expectArgs(args, 0, 'list')
        const { keys } = await client.call('GET', `/v1/keys${queryString({ include_revoked: values.all ? 'true' : undefined })}`)
        print(keys, () => formatTable(['ID', 'PREFIX', 'NAME', 'ROLE', 'MODELS', 'STATUS', 'CREATED', 'EXPIRES'], keys.map((key: any) => [
          key.id, key.prefix, key.name, key.role, (key.models ?? []).join(','), key.status, formatTime(key.created_at), formatTime(key.expires_at ?? undefined),
        ])))
        return 0
      }
      case 'show': {
        const [id] = expectArgs(args, 1, 'show ID')
        const key = await client.call('GET', `/v1/keys/${encodeURIComponent(id!)}`)
        print(key, () => Object.entries(key).map(([field, value]) => `${`${field}:`.padEnd(14)}${Array.isArray(value) ? value.join(',') : value ?? ''}`).join('\n'))
        return 0
      }
      case 'revoke': {
        const [id] = expectArgs(args, 1, 'revoke ID')
        const key = await client.call('DELETE', `/v1/keys/${encodeURIComponent(id!)}`)
        print(key, () => `revoked ${describe(key)} at ${formatTime(key.revoked_at)}`)
        return 0
      }
      case 'rotate': {
        const [id] = expectArgs(args, 1, 'rotate ID')
        const grace = values.grace === undefined ? undefined : durationArg(values.grace, '--grace')
        const rotated = await client.call('POST', `/v1/keys/${encodeURIComponent(id!)}/rotate`, grace === undefined ? {} : { grace_seconds: grace })
        if (values.json) {
          io.stdout(JSON.stringify(rotated, null, 2))
          return 0
        }
        io.stdout(rotated.key)
        const old = rotated.previous
        io.stderr(`rotated ${old.id} → ${describe(rotated)}; the old key ${old.status === 'revoked' ? 'is revoked' : `works until ${formatTime(old.expires_at)}`}`)
        io.stderr('store the new key now: it is shown once and cannot be recovered')
        return 0
      }
      case 'generate': {
        expectArgs(args, 0, 'generate')
        io.stdout(generateApiKey().key)
        return 0
      }
      default:
        throw new UsageError(`unknown verb '${verb}'`)
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`maas keys: ${error.message}\n\n${KEYS_USAGE}`)
      return 2
    }
    if (error instanceof AccessRequestError) {
      io.stderr(`maas keys ${verb}: ${error.message}`)
      return 1
    }
    throw error
  }
}

/** `key <id> 'name' (role)`. */
function describe(key: { id: string; name: string; role: string }): string {
  return `key ${key.id} '${key.name}' (${key.role})`
}

function expectArgs(args: readonly string[], count: number, form: string): readonly string[] {
  if (args.length !== count) throw new UsageError(`expected: maas keys ${form}`)
  return args
}

function durationArg(text: string, flag: string): number {
  const seconds = parseDuration(text)
  if (seconds === undefined) throw new UsageError(`${flag} must be a duration such as 90s, 15m, 1h, 30d or 2w, got '${text}'`)
  return seconds
}
