/**
 * @module registry/registry-names
 * The shapes of names the registry accepts, checked before any query so both databases
 * refuse the same inputs with the same INVALID_ARGUMENT message.
 */
import { InvalidArgumentError } from '../core/errors.ts'

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
// Lower-case, not all digits: '3' must always mean version 3, never an alias.
const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,62}$/

/** Throws unless `name` is 1–128 of [A-Za-z0-9._-], starting with a letter or digit. */
export function assertModelName(name: string): void {
  if (!MODEL_NAME.test(name)) {
    throw new InvalidArgumentError(`model name '${name}' must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`)
  }
}

/** Throws unless `name` is a lower-case word: a letter, then up to 62 of [a-z0-9_-]. */
export function assertAliasName(name: string): void {
  if (!ALIAS_NAME.test(name)) {
    throw new InvalidArgumentError(`alias name '${name}' must start with a lower-case letter, then up to 62 of a-z, 0-9, '_' or '-'`)
  }
}

/** Throws unless `version` is a positive integer. */
export function assertVersionNumber(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new InvalidArgumentError(`version '${version}' must be a positive integer`)
  }
}

/** Throws unless `value` is one of `allowed`; narrows its type. */
export function assertOneOf<T extends string>(what: string, value: string, allowed: readonly T[]): asserts value is T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`${what} '${value}' must be one of ${allowed.join(', ')}`)
  }
}
