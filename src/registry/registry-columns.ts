/**
 * @module registry/registry-columns
 * Conversions between column values and record fields that every store needs: epoch ms
 * to Date, JSON text, and recognising constraint violations from either driver.
 */

export function toDate(value: number): Date {
  return new Date(value)
}

export function toNullableDate(value: number | null): Date | null {
  return value === null ? null : toDate(value)
}

/** JSON text for a column; undefined is stored as null. */
export function toJsonText(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value)
}

export function fromJsonText<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T)
}

/** Which constraint a driver error reports broken, if it is one. */
export function constraintViolationOf(error: unknown): 'unique' | 'foreign-key' | 'check' | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  // PostgreSQL SQLSTATE, then better-sqlite3's extended result codes.
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return 'unique'
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key'
  if (code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK') return 'check'
  return undefined
}
