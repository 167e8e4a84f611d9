/**
 * @module cli/keys/duration
 * Durations on the command line: `90s`, `15m`, `1h`, `30d`, `2w`, or plain seconds.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = Object.freeze({ s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 })
const DURATION = /^(\d{1,9})([smhdw]?)$/

/** Whole seconds in `text`; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim())
  if (match === null) return undefined
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's']!
}
