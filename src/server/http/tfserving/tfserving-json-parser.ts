/**
 * @module server/http/tfserving/tfserving-json-parser
 * A JSON parser for TF-Serving request bodies. JSON.parse cannot be used: the API accepts the
 * tokens NaN, Infinity and -Infinity (api_rest.md, "JSON conformance"), and INT64/UINT64
 * values beyond 2^53 must reach the tensor exactly. Objects become Maps so that no key can
 * reach a prototype.
 */
import { InvalidArgumentError } from '../../../core/errors.ts'

/** A parsed JSON value. Integer literals outside the safe range are BigInts, exactly. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject

export type JsonObject = Map<string, JsonValue>

/** Deep enough for any tensor; guards the stack against hostile nesting. */
const MAX_DEPTH = 256

const INTEGER_LITERAL = /^-?(?:0|[1-9]\d*)$/

/** Parses JSON text with TF-Serving's extensions; malformed text gets an InvalidArgumentError with its offset. */
export function parseTfServingJson(text: string): JsonValue {
  const parser = new JsonParser(text)
  parser.skipWhitespace()
  if (parser.atEnd()) throw new InvalidArgumentError('JSON Parse error: the document is empty')
  const value = parser.parseValue(0)
  parser.skipWhitespace()
  if (!parser.atEnd()) parser.fail('the document root must not be followed by other values')
  return value
}

/** True for an object holding a single "b64" string: TF-Serving's encoding of binary values. */
export function isBase64Object(value: JsonValue): value is JsonObject {
  return value instanceof Map && value.size === 1 && typeof value.get('b64') === 'string'
}

class JsonParser {
  readonly #text: string
  #pos = 0

  constructor(text: string) {
    this.#text = text
  }

  atEnd(): boolean {
    return this.#pos >= this.#text.length
  }

  fail(reason: string): never {
    throw new InvalidArgumentError(`JSON Parse error: ${reason} at offset ${this.#pos}`)
  }

  skipWhitespace(): void {
    const text = this.#text
    let pos = this.#pos
    for (;;) {
      const code = text.charCodeAt(pos)
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break
      pos++
    }
    this.#pos = pos
  }

  parseValue(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`)
    const char = this.#text[this.#pos]
    switch (char) {
      case '{':
        return this.#parseObject(depth)
      case '[':
        return this.#parseArray(depth)
      case '"':
        return this.#parseString()
      case 't':
        return this.#parseWord('true', true)
      case 'f':
        return this.#parseWord('false', false)
      case 'n':
        return this.#parseWord('null', null)
      case 'N':
        return this.#parseWord('NaN', NaN)
      case 'I':
        return this.#parseInfinity(1)
      case undefined:
        return this.fail('unexpected end of the document')
      default:
        if (char === '-' || (char >= '0' && char <= '9')) return this.#parseNumber()
        return this.fail(`invalid value starting with '${char}'`)
    }
  }

  #parseObject(depth: number): JsonObject {
    const object: JsonObject = new Map()
    this.#pos++
    this.skipWhitespace()
    if (this.#text[this.#pos] === '}') {
      this.#pos++
      return object
    }
    for (;;) {
      if (this.#text[this.#pos] !== '"') this.fail('expected a string key in object')
      const key = this.#parseString()
      this.skipWhitespace()
      if (this.#text[this.#pos] !== ':') this.fail(`expected ':' after key "${key}"`)
      this.#pos++
      this.skipWhitespace()
      object.set(key, this.parseValue(depth + 1))
      this.skipWhitespace()
      const next = this.#text[this.#pos++]
      if (next === '}') return object
      if (next !== ',') {
        this.#pos--
        this.fail("expected ',' or '}' in object")
      }
      this.skipWhitespace()
    }
  }

  #parseArray(depth: number): JsonValue[] {
    const array: JsonValue[] = []
    this.#pos++
    this.skipWhitespace()
    if (this.#text[this.#pos] === ']') {
      this.#pos++
      return array
    }
    for (;;) {
      array.push(this.parseValue(depth + 1))
      this.skipWhitespace()
      const next = this.#text[this.#pos++]
      if (next === ']') return array
      if (next !== ',') {
        this.#pos--
        this.fail("expected ',' or ']' in array")
      }
      this.skipWhitespace()
    }
  }

  #parseString(): string {
    const text = this.#text
    const start = ++this.#pos
    // Fast path: no escapes.
    let pos = start
    for (; pos < text.length; pos++) {
      const code = text.charCodeAt(pos)
      if (code === 0x22) {
        this.#pos = pos + 1
        return text.slice(start, pos)
      }
      if (code === 0x5c || code < 0x20) break
    }
    let result = text.slice(start, pos)
    for (;;) {
      if (pos >= text.length) {
        this.#pos = pos
        this.fail('unterminated string')
      }
      const code = text.charCodeAt(pos)
      if (code === 0x22) break
      if (code < 0x20) {
        this.#pos = pos
        this.fail('control character in string')
      }
      if (code !== 0x5c) {
        result += text[pos++]
        continue
      }
      const escape = text[pos + 1]
      pos += 2
      switch (escape) {
        case '"': result += '"'; break
        case '\\': result += '\\'; break
        case '/': result += '/'; break
        case 'b': result += '\b'; break
        case 'f': result += '\f'; break
        case 'n': result += '\n'; break
        case 'r': result += '\r'; break
        case 't': result += '\t'; break
        case 'u': {
          const hex = text.slice(pos, pos + 4)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.#pos = pos
            this.fail('invalid \\u escape in string')
          }
          result += String.fromCharCode(Number.parseInt(hex, 16))
          pos += 4
          break
        }
        default:
          this.#pos = pos - 2
          this.fail('invalid escape in string')
      }
    }
    this.#pos = pos + 1
    return result
  }

  #parseWord<T extends JsonValue>(word: string, value: T): T {
    if (!this.#text.startsWith(word, this.#pos)) this.fail(`invalid value, expected '${word}'`)
    this.#pos += word.length
    return value
  }

  /** rapidjson's kParseNanAndInfFlag reads Inf and Infinity, optionally negated. */
  #parseInfinity(sign: 1 | -1): number {
    const word = this.#text.startsWith('Infinity', this.#pos) ? 'Infinity' : 'Inf'
    this.#parseWord(word, null)
    return sign * Infinity
  }

  #parseNumber(): number | bigint {
    const text = this.#text
    const start = this.#pos
    if (text[start] === '-') {
      if (text[start + 1] === 'I') {
        this.#pos++
        return this.#parseInfinity(-1)
      }
      if (text[start + 1] === 'N') {
        this.#pos++
        return this.#parseWord('NaN', NaN)
      }
    }
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
    match.lastIndex = start
    const found = match.exec(text)
    if (!found) this.fail('invalid number')
    const literal = found[0]
    this.#pos = start + literal.length
    if (INTEGER_LITERAL.test(literal) && literal.length > 15) {
      const exact = BigInt(literal)
      return exact >= BigInt(Number.MIN_SAFE_INTEGER) && exact <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(exact) : exact
    }
    const value = Number(literal)
    if (!Number.isFinite(value)) {
      this.#pos = start
      this.fail('number too big to be stored in double')
    }
    return value
  }
}
