import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MaasError } from '../../../core/errors.ts'
import { parseTfServingJson } from './tfserving-json-parser.ts'
import { describeJson, toTensorData } from './tfserving-json-values.ts'

test('converts leaves to the typed array of the datatype', () => {
  assert.deepEqual(toTensorData('x', 'UINT16', [2, 2], [1, 2, 3, 4]), new Uint16Array([1, 2, 3, 4]))
  assert.deepEqual(toTensorData('x', 'INT64', [1], [2n ** 62n]), new BigInt64Array([2n ** 62n]))
  assert.deepEqual(toTensorData('x', 'BYTES', [1], [parseTfServingJson('{"b64": "aGk"}')]), [new Uint8Array([104, 105])])
})

test('names the element of a failing leaf by its position in the shape', () => {
  assert.throws(
    () => toTensorData('x', 'INT8', [2, 3], [0, 0, 0, 0, 'a', 0]),
    (error: unknown) => error instanceof MaasError && error.message === `input 'x' element [1][1]: "a" is not of expected type DT_INT8 (INT8)`,
  )
  assert.throws(() => toTensorData('x', 'BOOL', [], [0]), (error: unknown) => error instanceof MaasError && error.message === `input 'x': 0 is not of expected type DT_BOOL (BOOL)`)
})

test('describes JSON values briefly for messages', () => {
  assert.equal(describeJson(null), 'null')
  assert.equal(describeJson([1]), 'a list')
  assert.equal(describeJson(new Map([['a', 1]])), 'an object')
  assert.equal(describeJson('x'.repeat(50)), `"${'x'.repeat(40)}..."`)
  assert.equal(describeJson(12n), '12')
})
