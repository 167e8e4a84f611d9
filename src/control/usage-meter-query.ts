/**
 * @module control/usage-meter-query
 * Turns the parameters of a usage query (`key`, `model`, `version`, `from`, `to`, as in
 * `GET /v1/usage?…` and `maas usage`) into a UsageFilter, with INVALID_ARGUMENT messages
 * that name the parameter at fault.
 */
import { InvalidArgumentError } from '../core/errors.ts'
import type { UsageFilter } from '../registry/usage-store.ts'
import { ANONYMOUS_KEY } from './usage-meter.ts'

export const USAGE_QUERY_PARAMETERS = ['key', 'model', 'version', 'from', 'to'] as const

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * The filter for query parameters given as name → value (absent or '' = no condition).
 * `key=anonymous` selects calls made without a key; days are UTC, YYYY-MM-DD, inclusive.
 */
export function parseUsageQuery(parameters: Iterable<readonly [string, string]>): UsageFilter {
  const values = new Map<string, string>()
  for (const [name, value] of parameters) {
    if (!(USAGE_QUERY_PARAMETERS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`usage: unknown query parameter '${name}'; known: ${USAGE_QUERY_PARAMETERS.join(', ')}`)
    }
    if (values.has(name)) throw new InvalidArgumentError(`usage: query parameter '${name}' is given more than once`)
    if (value !== '') values.set(name, value)
  }
  const filter: { -readonly [K in keyof UsageFilter]: UsageFilter[K] } = {}
  const key = values.get('key')
  if (key !== undefined) filter.keyId = key === ANONYMOUS_KEY ? null : key
  const model = values.get('model')
  if (model !== undefined) filter.model = model
  const version = values.get('version')
  if (version !== undefined) {
    if (!/^[1-9]\d{0,14}$/.test(version)) throw new InvalidArgumentError(`usage: 'version' must be a positive integer, got '${version}'`)
    filter.version = Number(version)
  }
  const from = values.get('from')
  if (from !== undefined) filter.fromDay = checkDay(from, 'from')
  const to = values.get('to')
  if (to !== undefined) filter.toDay = checkDay(to, 'to')
  if (filter.fromDay !== undefined && filter.toDay !== undefined && filter.fromDay > filter.toDay) {
    throw new InvalidArgumentError(`usage: 'from' (${filter.fromDay}) is after 'to' (${filter.toDay})`)
  }
  return filter
}

/** `day` when it is a real calendar day written YYYY-MM-DD. */
function checkDay(day: string, name: string): string {
  const match = DAY.exec(day)
  const date = match === null ? undefined : new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
  if (date === undefined || date.toISOString().slice(0, 10) !== day) {
    throw new InvalidArgumentError(`usage: '${name}' must be a day written YYYY-MM-DD (UTC), got '${day}'`)
  }
  return day
}
