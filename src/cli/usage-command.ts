/**
 * @module cli/usage-command
 * `maas usage [--key ID] [--model M] [--from DAY] [--to DAY]`: usage per API key, model,
 * version and UTC day from a running server (`GET /v1/usage`), as a table with totals, or
 * the server's JSON with --json. `--key anonymous` selects calls made without a key.
 * Exit codes: 0 done, 1 the server refused or could not be reached, 2 a bad command line.
 */
import { parseArgs } from 'node:util'
import { AccessRequestError, PROCESS_IO, clientFor, queryString, type CommandIo } from './keys/access-client.ts'
import { formatTable } from './models/format-table.ts'

export const USAGE_USAGE = `usage: maas usage [options]

options:
  --key ID         one API key's usage ('anonymous': calls made without a key)
  --model M        one model
  --from DAY       first day, YYYY-MM-DD (UTC)
  --to DAY         last day, YYYY-MM-DD (UTC)
  --url URL        server address (MAAS_URL; default http://127.0.0.1:8000)
  --api-key KEY    sent as Authorization: Bearer (MAAS_API_KEY)
  --json           print the server's JSON instead of a table
  -h, --help       show this help`

export async function runUsage(argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        key: { type: 'string' }, model: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    io.stderr(`maas usage: ${(error as Error).message}\n\n${USAGE_USAGE}`)
    return 2
  }
  if (values.help) {
    io.stdout(USAGE_USAGE)
    return 0
  }
  try {
    const query = queryString({ key: values.key, model: values.model, from: values.from, to: values.to })
    const result = await clientFor(values, io.env).call('GET', `/v1/usage${query}`)
    if (values.json) {
      io.stdout(JSON.stringify(result, null, 2))
      return 0
    }
    const rows = result.usage.map((row: any) => [
      row.day, row.key_id ?? 'anonymous', row.model, String(row.version), String(row.requests), String(row.samples), String(row.errors), seconds(row.compute_seconds),
    ])
    const { totals } = result
    if (rows.length > 0) rows.push(['total', '', '', '', String(totals.requests), String(totals.samples), String(totals.errors), seconds(totals.compute_seconds)])
    io.stdout(formatTable(['DAY', 'KEY', 'MODEL', 'VERSION', 'REQUESTS', 'SAMPLES', 'ERRORS', 'COMPUTE_S'], rows))
    return 0
  } catch (error) {
    if (error instanceof AccessRequestError) {
      // A bad parameter is the server's 400: a command-line mistake, told as such.
      io.stderr(`maas usage: ${error.message}`)
      return error.status === 400 ? 2 : 1
    }
    throw error
  }
}

function seconds(value: number): string {
  return value.toFixed(value >= 100 ? 1 : 6)
}
