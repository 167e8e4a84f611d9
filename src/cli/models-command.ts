/**
 * @module cli/models-command
 * `maas models list|show|push|alias|rm`: model management against a running server over its
 * management REST API (`/v1/registry/…`). Prints tables, or the server's JSON with --json.
 * Exit codes: 0 done, 1 the server refused or could not be reached, 2 a bad command line.
 */
import { parseArgs } from 'node:util'
import { ManagementClient, ManagementRequestError, openUploadFile } from './models/management-client.ts'
import { formatMetrics, formatTable, formatTime } from './models/format-table.ts'

export const MODELS_USAGE = `usage: maas models <verb> [options]

verbs:
  list                                     the registered models
  show NAME                                a model with its versions and aliases
  push NAME FILE.onnx [--alias A] [--metrics K=V[,K=V]] [--description TEXT]
                                           upload a version (the model is created if new)
  alias NAME ALIAS VERSION [--canary V --weight W]
                                           create or move an alias (zero-downtime switch)
  rm NAME[/VERSION]                        delete a model, or one version

options:
  --url URL        server address (MAAS_URL; default http://127.0.0.1:8000)
  --api-key KEY    sent as Authorization: Bearer (MAAS_API_KEY)
  --json           print the server's JSON instead of a table
  -h, --help       show this help`

export interface ModelsIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: NodeJS.ProcessEnv
}

const PROCESS_IO: ModelsIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
}

class UsageError extends Error {}

export async function runModels(argv: readonly string[], io: ModelsIo = PROCESS_IO): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        alias: { type: 'string' }, metrics: { type: 'string', multiple: true }, description: { type: 'string' },
        canary: { type: 'string' }, weight: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    })
  } catch (error) {
    io.stderr(`maas models: ${(error as Error).message}\n\n${MODELS_USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const [verb, ...args] = positionals
  if (values.help || verb === undefined || verb === 'help') {
    io.stdout(MODELS_USAGE)
    return verb === undefined && !values.help ? 2 : 0
  }
  const apiKey = values['api-key'] ?? io.env.MAAS_API_KEY
  const client = new ManagementClient({ url: values.url ?? io.env.MAAS_URL ?? 'http://127.0.0.1:8000', ...(apiKey ? { apiKey } : {}) })
  const print = (json: unknown, text: () => string) => io.stdout(values.json ? JSON.stringify(json, null, 2) : text())
  try {
    switch (verb) {
      case 'list': {
        expectArgs(args, 0, 'list')
        const { models } = await client.call('GET', '')
        print(models, () => formatTable(['NAME', 'TASK', 'VISIBILITY', 'OWNER', 'UPDATED'],
          models.map((m: any) => [m.name, m.task ?? '', m.visibility, m.owner ?? '', formatTime(m.updatedAt)])))
        return 0
      }
      case 'show': {
        const [name] = expectArgs(args, 1, 'show NAME')
        const model = await client.call('GET', `/${encodeURIComponent(name!)}`)
        const { versions } = await client.call('GET', `/${encodeURIComponent(name!)}/versions`)
        print({ ...model, versions }, () => [
          `model:       ${model.name}`,
          `description: ${model.description}`,
          `task:        ${model.task ?? ''}`,
          `visibility:  ${model.visibility}    owner: ${model.owner ?? ''}`,
          '',
          formatTable(['VERSION', 'STATUS', 'METRICS', 'SIZE', 'CREATED', 'REASON'], versions.map((v: any) =>
            [String(v.version), v.status, formatMetrics(v.metrics), v.artifact ? String(v.artifact.sizeBytes) : '', formatTime(v.createdAt), v.statusReason ?? ''])),
          '',
          formatTable(['ALIAS', 'VERSION', 'CANARY'], model.aliases.map((a: any) =>
            [a.name, String(a.version), a.canary ? `${a.canary.version} (${a.canary.weight}%)` : ''])),
        ].join('\n'))
        return 0
      }
      case 'push': {
        const [name, file] = expectArgs(args, 2, 'push NAME FILE.onnx')
        const metadata: Record<string, unknown> = {
          ...(values.metrics ? { metrics: parseMetricsFlag(values.metrics) } : {}),
          ...(values.alias !== undefined ? { alias: values.alias } : {}),
          ...(values.description !== undefined ? { description: values.description } : {}),
        }
        const blob = await openUploadFile(file!)
        let created = false
        try {
          await client.call('GET', `/${encodeURIComponent(name!)}`)
        } catch (error) {
          if (!(error instanceof ManagementRequestError) || error.status !== 404) throw error
          await client.call('POST', '', { name })
          created = true
        }
        const version = await client.upload(name!, blob, metadata)
        print(version, () => `${created ? `created model ${name}; ` : ''}pushed ${name} version ${version.version} (${version.status}, sha256 ${version.artifact.sha256.slice(0, 12)})${values.alias ? `; ${values.alias} → ${version.version}` : ''}`)
        return 0
      }
      case 'alias': {
        const [name, alias, version] = expectArgs(args, 3, 'alias NAME ALIAS VERSION')
        if ((values.canary === undefined) !== (values.weight === undefined)) throw new UsageError('--canary and --weight go together')
        const target = { version: integerArg(version!, 'VERSION'), ...(values.canary !== undefined ? { canary: { version: integerArg(values.canary, '--canary'), weight: integerArg(values.weight!, '--weight') } } : {}) }
        const record = await client.call('PUT', `/${encodeURIComponent(name!)}/aliases/${encodeURIComponent(alias!)}`, target)
        print(record, () => `${name}@${record.name} → version ${record.version}${record.canary ? ` (canary ${record.canary.version} at ${record.canary.weight}%)` : ''}`)
        return 0
      }
      case 'rm': {
        const [target] = expectArgs(args, 1, 'rm NAME[/VERSION]')
        const slash = target!.lastIndexOf('/')
        const [name, version] = slash === -1 ? [target!, undefined] : [target!.slice(0, slash), integerArg(target!.slice(slash + 1), 'VERSION')]
        await client.call('DELETE', `/${encodeURIComponent(name)}${version === undefined ? '' : `/versions/${version}`}`)
        print({ deleted: version === undefined ? { model: name } : { model: name, version } }, () => `deleted ${target}`)
        return 0
      }
      default:
        throw new UsageError(`unknown verb '${verb}'`)
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`maas models: ${error.message}\n\n${MODELS_USAGE}`)
      return 2
    }
    if (error instanceof ManagementRequestError) {
      io.stderr(`maas models ${verb}: ${error.message}`)
      return 1
    }
    throw error
  }
}

function expectArgs(args: readonly string[], count: number, form: string): readonly string[] {
  if (args.length !== count) throw new UsageError(`expected: maas models ${form}`)
  return args
}

function integerArg(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, not '${text}'`)
  return Number(text)
}

/** `--metrics acc=0.93,loss=0.2` (repeatable) → { acc: 0.93, loss: 0.2 }. */
export function parseMetricsFlag(values: readonly string[]): Record<string, number> {
  const metrics: Record<string, number> = {}
  for (const pair of values.flatMap((value) => value.split(','))) {
    const [key, number] = pair.split('=')
    if (!key || number === undefined || number.trim() === '' || !Number.isFinite(Number(number))) throw new UsageError(`--metrics '${pair}' must be NAME=NUMBER`)
    metrics[key.trim()] = Number(number)
  }
  return metrics
}
