/**
 * @module nn/config-reader
 * Reads one Keras-style config object (snake_case keys) with validation: every accessor
 * checks type and range and throws InvalidArgumentError naming the place in the spec
 * ("layers[2] (Dense): 'units' must be a positive integer, got -3"). `finish()` rejects keys
 * that no accessor read, that are not Keras bookkeeping and are not null, so a typo never
 * passes silently.
 */
import { InvalidArgumentError } from '../core/errors.ts'

/** Keys Keras and TF.js write on every layer that carry no meaning for maas. */
const BOOKKEEPING_KEYS = new Set(['module', 'registered_name', 'build_config', 'autocast', 'dynamic', 'dtype'])

/** A plain JSON object. */
export type ConfigObject = Readonly<Record<string, unknown>>

export function isConfigObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** JSON for error messages, kept short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** `kernelSize` → `kernel_size`; also Keras' class-name snake case (`MaxPooling2D` → `max_pooling2d`). */
export function toSnakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
}

/** Validating reader over one config object. */
export class ConfigReader {
  readonly #read = new Set<string>()

  constructor(
    /** Where this config sits, for messages: "layers[2] (Dense)". */
    readonly path: string,
    readonly config: ConfigObject,
  ) {}

  /** Throws InvalidArgumentError about `key`. */
  fail(key: string, expected: string, got: unknown = this.config[key]): never {
    throw new InvalidArgumentError(`${this.path}: '${key}' must be ${expected}, got ${describeValue(got)}`)
  }

  /** Throws InvalidArgumentError about this config as a whole. */
  failWith(message: string): never {
    throw new InvalidArgumentError(`${this.path}: ${message}`)
  }

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null
  }

  /** The raw value, marked as read. */
  raw(key: string): unknown {
    this.#read.add(key)
    return this.config[key]
  }

  /** Marks keys as understood without reading them. */
  accept(...keys: string[]): void {
    for (const key of keys) this.#read.add(key)
  }

  positiveInt(key: string, fallback?: number): number {
    const value = this.raw(key)
    if ((value === undefined || value === null) && fallback !== undefined) return fallback
    if (!Number.isInteger(value) || (value as number) <= 0) this.fail(key, 'a positive integer')
    return value as number
  }

  number(key: string, fallback: number, range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean } = {}): number {
    const value = this.raw(key)
    if (value === undefined || value === null) return fallback
    const { min, max, minExclusive = false, maxExclusive = false } = range
    const low = min === undefined ? '' : `${minExclusive ? '>' : '>='} ${min}`
    const high = max === undefined ? '' : `${maxExclusive ? '<' : '<='} ${max}`
    const expected = ['a finite number', [low, high].filter(Boolean).join(' and ')].filter(Boolean).join(' ')
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(key, expected)
    if (min !== undefined && (minExclusive ? value <= min : value < min)) this.fail(key, expected)
    if (max !== undefined && (maxExclusive ? value >= max : value > max)) this.fail(key, expected)
    return value
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key)
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'boolean') this.fail(key, 'true or false')
    return value
  }

  optionalString(key: string): string | undefined {
    const value = this.raw(key)
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string' || value.length === 0) this.fail(key, 'a non-empty string')
    return value
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T, normalize: (text: string) => string = (text) => text): T {
    const value = this.raw(key)
    if (value === undefined || value === null) return fallback
    const normalized = typeof value === 'string' ? normalize(value) : undefined
    if (normalized === undefined || !(allowed as readonly string[]).includes(normalized)) {
      this.fail(key, `one of ${allowed.map((item) => `'${item}'`).join(', ')}`)
    }
    return normalized as T
  }

  /** An int or a list of `length` ints, each ≥ `min` (Keras' kernel_size, strides, ...). */
  intTuple(key: string, length: number, fallback: readonly number[] | undefined, min = 1): number[] {
    const value = this.raw(key)
    if ((value === undefined || value === null) && fallback !== undefined) return [...fallback]
    const expected = `an integer >= ${min} or a list of ${length} such integers`
    const items = typeof value === 'number' ? Array<unknown>(length).fill(value) : value
    if (!Array.isArray(items) || items.length !== length) this.fail(key, expected)
    for (const item of items) if (!Number.isInteger(item) || (item as number) < min) this.fail(key, expected)
    return items as number[]
  }

  /** A per-example shape: dimensions are positive integers, or null (-1) where `allowUnknown`. */
  shape(key: string, { allowUnknown = true, minRank = 0 } = {}): number[] {
    const value = this.raw(key)
    const expected = `a list of ${minRank > 0 ? `at least ${minRank} ` : ''}positive integers${allowUnknown ? ' (or null)' : ''}`
    if (!Array.isArray(value) || value.length < minRank) this.fail(key, expected)
    return value.map((dim) => {
      if ((dim === null || dim === -1) && allowUnknown) return -1
      if (!Number.isInteger(dim) || (dim as number) <= 0) this.fail(key, expected)
      return dim as number
    })
  }

  /** Keys Keras allows but maas does not implement: only null (or an equivalent default) passes. */
  unsupported(key: string, ...allowed: unknown[]): void {
    const value = this.raw(key)
    if (value === undefined || value === null || allowed.some((item) => JSON.stringify(item) === JSON.stringify(value))) return
    this.fail(key, allowed.length === 0 ? 'null (not supported)' : `${allowed.map(describeValue).join(' or ')} (other values are not supported)`)
  }

  /** Rejects keys nothing read (typos, unsupported options). */
  finish(): void {
    for (const key of Object.keys(this.config)) {
      // A null is Keras' "unset"; newer Keras versions add such keys (quantization_config, ...).
      if (!this.#read.has(key) && !BOOKKEEPING_KEYS.has(key) && this.config[key] !== null) this.failWith(`unknown config key '${key}'`)
    }
  }
}
