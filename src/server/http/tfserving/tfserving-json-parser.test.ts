import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MaasError } from '../../../core/errors.ts'
import { isBase64Object, parseTfServingJson } from './tfserving-json-parser.ts'

const invalid = (pattern: RegExp) => (error: unknown) =>
  error instanceof MaasError && error.code === 'INVALID_ARGUMENT' && pattern.test(error.message)

test('parses plain JSON like JSON.parse, with objects as Maps', () => {
  const value = parseTfServingJson(' {"a": [1, -2.5, 3e2, true, false, null], "b": "x\\n\\u00e9\\ud83d\\ude00"} ')
  assert.ok(value instanceof Map)
  assert.deepEqual(value.get('a'), [1, -2.5, 300, true, false, null])
  assert.equal(value.get('b'), 'x\né😀')
  assert.deepEqual(parseTfServingJson('[]'), [])
  assert.deepEqual(parseTfServingJson('{}'), new Map())
})

test('reads the NaN, Infinity and -Infinity tokens of TF-Serving', () => {
  const value = parseTfServingJson('[NaN, Infinity, -Infinity, Inf, -Inf, -NaN]') as number[]
  assert.ok(Number.isNaN(value[0]))
  assert.deepEqual(value.slice(1, 5), [Infinity, -Infinity, Infinity, -Infinity])
  assert.ok(Number.isNaN(value[5]))
})

test('keeps integer literals beyond 2^53 exact as BigInt', () => {
  assert.deepEqual(parseTfServingJson('[9223372036854775807, -9223372036854775808, 18446744073709551615]'), [
    9223372036854775807n,
    -9223372036854775808n,
    18446744073709551615n,
  ])
  assert.deepEqual(parseTfServingJson('[9007199254740991, 1234567890123456]'), [9007199254740991, 1234567890123456])
})

test('keeps "__proto__" an ordinary key', () => {
  const value = parseTfServingJson('{"__proto__": {"b64": "AA=="}}')
  assert.ok(value instanceof Map)
  assert.ok(isBase64Object(value.get('__proto__')!))
})

test('rejects malformed JSON with the reason and offset', () => {
  assert.throws(() => parseTfServingJson(''), invalid(/document is empty/))
  assert.throws(() => parseTfServingJson('{"a": 1,}'), invalid(/expected a string key in object at offset 8/))
  assert.throws(() => parseTfServingJson('[1 2]'), invalid(/expected ',' or ']' in array at offset 3/))
  assert.throws(() => parseTfServingJson('{"a" 1}'), invalid(/expected ':'/))
  assert.throws(() => parseTfServingJson('[1] x'), invalid(/must not be followed/))
  assert.throws(() => parseTfServingJson('"abc'), invalid(/unterminated string/))
  assert.throws(() => parseTfServingJson('[Nan]'), invalid(/expected 'NaN'/))
  assert.throws(() => parseTfServingJson('[01]'), invalid(/expected ','/))
  assert.throws(() => parseTfServingJson('[-]'), invalid(/invalid number/))
  assert.throws(() => parseTfServingJson('[1e400]'), invalid(/too big/))
  assert.throws(() => parseTfServingJson('["\\x"]'), invalid(/invalid escape/))
  assert.throws(() => parseTfServingJson('["a\nb"]'), invalid(/control character/))
  assert.throws(() => parseTfServingJson('[tru]'), invalid(/expected 'true'/))
})

test('refuses nesting deep enough to threaten the stack', () => {
  assert.throws(() => parseTfServingJson('['.repeat(100_000)), invalid(/nesting deeper/))
  assert.deepEqual(parseTfServingJson('[[[[1]]]]'), [[[[1]]]])
})

test('recognises only single-key {"b64": string} objects as binary values', () => {
  assert.ok(isBase64Object(parseTfServingJson('{"b64": "aGk="}')))
  assert.ok(!isBase64Object(parseTfServingJson('{"b64": 1}')))
  assert.ok(!isBase64Object(parseTfServingJson('{"b64": "aGk=", "x": 1}')))
  assert.ok(!isBase64Object(parseTfServingJson('"aGk="')))
})
