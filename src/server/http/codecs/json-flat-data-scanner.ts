/**
 * @module server/http/codecs/json-flat-data-scanner
 * The fast path of a JSON infer request: each `inputs[i].data` that is a flat array of JSON
 * numbers is read straight from the body bytes into a Float64Array, and JSON.parse only builds
 * the small rest of the request (the array replaced by `0`). Building 784 JS numbers in an
 * array and copying them out again cost more than the model run of a small model.
 *
 * The result is always what JSON.parse would give: anything unusual (nested or non-numeric
 * data, an escaped key, invalid JSON) leaves that array, or the whole body, to JSON.parse.
 * Numbers whose double this scanner cannot compute exactly are flagged and re-read with
 * Number() unless the tensor is FP32 and the approximation provably rounds to the same float.
 */

/** One flat numeric `data` array as read from the body. */
export interface FlatNumbers {
  readonly values: Float64Array
  /** Triples (element index, text start, text end) of values that are only approximate. */
  readonly approximate: readonly number[]
}

export interface ScannedRequest {
  /** JSON.parse of the body with every scanned array replaced by 0. */
  readonly header: unknown
  /** Scanned arrays by input index (position in the top-level `inputs` array). */
  readonly flatData: ReadonlyMap<number, FlatNumbers>
}

/** Below this size JSON.parse alone is as fast: the scan is not tried. */
const MIN_SCAN_BYTES = 1024

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39

const OBJECT = 0
const ARRAY = 1
const KEY_OTHER = 0
const KEY_INPUTS = 1
const KEY_DATA = 2

/** A written exponent at or past this is left to Number() (1e10 ≫ any digit count of a body). */
const EXPONENT_LIMIT = 1e10

/** Exact powers of ten as doubles (10^22 is the largest). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, power) => 10 ** power)

/**
 * Parses `body[0, end)` as a JSON infer request with its flat numeric data arrays scanned;
 * undefined when there is nothing to scan or the body is not plain enough (then JSON.parse the
 * body as usual, which also gives the usual error for invalid JSON).
 */
export function parseJsonWithFlatData(body: Buffer, end: number): ScannedRequest | undefined {
  if (end < MIN_SCAN_BYTES) return undefined
  // A plain Uint8Array view: indexing a Buffer (a subclass) is slower in the hot loops.
  const bytes = new Uint8Array(body.buffer, body.byteOffset, end)
  const kinds: number[] = []
  const keys: number[] = []
  const flatData = new Map<number, FlatNumbers>()
  const cuts: number[] = []
  let inputIndex = 0
  // Where the value of the last "data" key starts: only an array right there is scanned.
  let dataValueAt = -1
  let i = skipWhitespace(bytes, 0, end)
  if (bytes[i] !== OPEN_BRACE) return undefined
  while (i < end) {
    const c = bytes[i]!
    const depth = kinds.length
    if (c === QUOTE) {
      let j = i + 1
      let escaped = false
      while (j < end && bytes[j] !== QUOTE) {
        if (bytes[j] === BACKSLASH) {
          escaped = true
          j++
        }
        j++
      }
      if (j >= end) return undefined
      const after = skipWhitespace(bytes, j + 1, end)
      if (kinds[depth - 1] === OBJECT && bytes[after] === COLON) {
        // A key: only "inputs" at the top and "data" in an input object matter.
        if (escaped) return undefined
        const key = keyOf(bytes, i + 1, j)
        keys[depth - 1] = key
        if (depth === 1 && key === KEY_INPUTS) flatData.clear()
        if (depth === 3 && key === KEY_DATA && keys[0] === KEY_INPUTS && kinds[1] === ARRAY) {
          flatData.delete(inputIndex)
          dataValueAt = skipWhitespace(bytes, after + 1, end)
        }
        i = after + 1
      } else i = j + 1
    } else if (c === OPEN_BRACE) {
      kinds.push(OBJECT)
      keys.push(KEY_OTHER)
      i++
    } else if (c === OPEN_BRACKET) {
      if (i === dataValueAt && depth === 3 && keys[2] === KEY_DATA && keys[0] === KEY_INPUTS && kinds[1] === ARRAY && kinds[2] === OBJECT) {
        const scanned = scanNumberArray(bytes, i + 1, end)
        // The array must be the whole value: `"data": [1]e5` is invalid JSON, not `0e5`.
        const follower = scanned === undefined ? undefined : bytes[skipWhitespace(bytes, scanned.next, end)]
        if (scanned !== undefined && (follower === COMMA || follower === CLOSE_BRACE)) {
          flatData.set(inputIndex, scanned.numbers)
          cuts.push(i, scanned.next)
          i = scanned.next
          continue
        }
      }
      if (depth === 1 && keys[0] === KEY_INPUTS) inputIndex = 0
      kinds.push(ARRAY)
      keys.push(KEY_OTHER)
      i++
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      kinds.pop()
      keys.pop()
      i++
    } else {
      if (c === COMMA && depth === 2 && kinds[1] === ARRAY && keys[0] === KEY_INPUTS) inputIndex++
      i++
    }
  }
  if (flatData.size === 0) return undefined
  let text = ''
  let from = 0
  for (let cut = 0; cut < cuts.length; cut += 2) {
    text += body.toString('utf8', from, cuts[cut]) + '0'
    from = cuts[cut + 1]!
  }
  text += body.toString('utf8', from, end)
  try {
    return { header: JSON.parse(text), flatData }
  } catch {
    return undefined
  }
}

/**
 * The doubles of a scanned array for a tensor of `datatype`: exact where JSON.parse would be,
 * or, for FP32, approximations that round to the same float32.
 */
export function resolveFlatNumbers(flat: FlatNumbers, datatype: string, body: Buffer): Float64Array {
  const { values, approximate } = flat
  for (let k = 0; k < approximate.length; k += 3) {
    const index = approximate[k]!
    if (datatype === 'FP32' && roundsLikeExactToFloat32(values[index]!)) continue
    values[index] = Number(body.toString('latin1', approximate[k + 1]!, approximate[k + 2]!))
  }
  return values
}

function skipWhitespace(body: Uint8Array, from: number, end: number): number {
  let i = from
  while (i < end) {
    const c = body[i]!
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break
    i++
  }
  return i
}

function keyOf(body: Uint8Array, start: number, end: number): number {
  const length = end - start
  if (length === 4 && body[start] === 0x64 && body[start + 1] === 0x61 && body[start + 2] === 0x74 && body[start + 3] === 0x61) return KEY_DATA
  if (length === 6 && String.fromCharCode(...body.subarray(start, end)) === 'inputs') return KEY_INPUTS
  return KEY_OTHER
}

const SCRATCH_KEPT = 1 << 16
let scratch = new Float64Array(1024)
/** At most this many inexact numbers per array are remembered; past it the array goes to JSON.parse. */
const MAX_APPROXIMATE = 1 << 16

/** Reads `n1, n2, …]` from `start`; undefined unless every element is a valid JSON number. */
function scanNumberArray(body: Uint8Array, start: number, end: number): { numbers: FlatNumbers; next: number } | undefined {
  try {
    return scanNumbers(body, start, end)
  } finally {
    // A huge array leaves no huge buffer behind for the life of the process.
    if (scratch.length > SCRATCH_KEPT) scratch = new Float64Array(1024)
  }
}

function scanNumbers(body: Uint8Array, start: number, end: number): { numbers: FlatNumbers; next: number } | undefined {
  const approximate: number[] = []
  let count = 0
  let i = skipWhitespace(body, start, end)
  if (body[i] === CLOSE_BRACKET) return { numbers: { values: new Float64Array(0), approximate }, next: i + 1 }
  while (true) {
    const numberStart = i
    let c = body[i]
    const negative = c === MINUS
    if (negative) c = body[++i]
    let mantissa = 0
    let digits = 0
    let exponent = 0
    let truncated = false
    let exponentOverflow = false
    if (c === ZERO) {
      c = body[++i]
      if (c !== undefined && c >= ZERO && c <= NINE) return undefined
    } else if (c !== undefined && c > ZERO && c <= NINE) {
      do {
        if (digits < 19) {
          mantissa = mantissa * 10 + (c - ZERO)
          digits++
        } else {
          exponent++
          if (c !== ZERO) truncated = true
        }
        c = body[++i]
      } while (c !== undefined && c >= ZERO && c <= NINE)
    } else return undefined
    if (c === DOT) {
      c = body[++i]
      if (c === undefined || c < ZERO || c > NINE) return undefined
      do {
        if (digits < 19) {
          mantissa = mantissa * 10 + (c - ZERO)
          if (mantissa !== 0) digits++
          exponent--
        } else if (c !== ZERO) truncated = true
        c = body[++i]
      } while (c !== undefined && c >= ZERO && c <= NINE)
    }
    if (c === 0x65 || c === 0x45) {
      c = body[++i]
      const exponentNegative = c === MINUS
      if (c === MINUS || c === PLUS) c = body[++i]
      if (c === undefined || c < ZERO || c > NINE) return undefined
      let written = 0
      do {
        // Saturates: no digit string may wrap back into the fast path's range.
        written = Math.min(written * 10 + (c - ZERO), EXPONENT_LIMIT)
        c = body[++i]
      } while (c !== undefined && c >= ZERO && c <= NINE)
      if (written === EXPONENT_LIMIT) exponentOverflow = true
      exponent += exponentNegative ? -written : written
    }
    let value: number
    let exact = true
    if (mantissa === 0 && !truncated) value = 0
    else if (exponent >= -22 && exponent <= 22 && !exponentOverflow) {
      // Clinger's fast path: an exact mantissa times or over an exact power of ten rounds once.
      value = exponent < 0 ? mantissa / POWERS_OF_TEN[-exponent]! : mantissa * POWERS_OF_TEN[exponent]!
      exact = !truncated && mantissa <= Number.MAX_SAFE_INTEGER
    } else {
      value = Number.NaN
      exact = false
    }
    if (count === scratch.length) {
      const grown = new Float64Array(scratch.length * 2)
      grown.set(scratch)
      scratch = grown
    }
    if (!exact) {
      if (approximate.length >= 3 * MAX_APPROXIMATE) return undefined
      approximate.push(count, numberStart, i)
    }
    scratch[count++] = negative ? -value : value
    i = skipWhitespace(body, i, end)
    if (body[i] === COMMA) i = skipWhitespace(body, i + 1, end)
    else if (body[i] === CLOSE_BRACKET) return { numbers: { values: scratch.slice(0, count), approximate }, next: i + 1 }
    else return undefined
  }
}

const float32 = new Float32Array(1)
const float32Bits = new Uint32Array(float32.buffer)

/**
 * Whether `approximate` (within a few ulps of the exact double) is far enough from the midpoint
 * between its float32 and the neighbouring one for both to round to the same float32.
 */
function roundsLikeExactToFloat32(approximate: number): boolean {
  const magnitude = Math.abs(approximate)
  // NaN (not computed), subnormal and near-overflow floats: re-read exactly.
  if (!(magnitude >= 1.2e-38 && magnitude <= 3.4e38)) return false
  const rounded = Math.fround(approximate)
  float32[0] = rounded
  const bits = float32Bits[0]!
  // The neighbour on the approximation's side of its float32 (bit patterns grow with magnitude).
  float32Bits[0] = approximate > rounded === rounded > 0 ? bits + 1 : bits - 1
  const midpoint = (rounded + float32[0]!) / 2
  return Math.abs(approximate - midpoint) > magnitude * 2 ** -45
}
