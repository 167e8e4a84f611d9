import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MaasError } from '../../../core/errors.ts'
import { flattenJsonTensor, formatShape } from './tfserving-json-shape.ts'

test('infers the shape of nested lists and flattens them row-major', () => {
  assert.deepEqual(flattenJsonTensor('x', [[1, 2, 3], [4, 5, 6]], 'inputs'), { shape: [2, 3], leaves: [1, 2, 3, 4, 5, 6] })
  assert.deepEqual(flattenJsonTensor('x', 7, 'inputs'), { shape: [], leaves: [7] })
  assert.deepEqual(flattenJsonTensor('x', [], 'inputs'), { shape: [0], leaves: [] })
  assert.deepEqual(flattenJsonTensor('x', [[], []], 'inputs'), { shape: [2, 0], leaves: [] })
  assert.deepEqual(flattenJsonTensor('x', [[[1]], [[2]]], 'inputs'), { shape: [2, 1, 1], leaves: [1, 2] })
})

test('names the input and the ragged position', () => {
  const ragged = (value: unknown, pattern: RegExp) =>
    assert.throws(
      () => flattenJsonTensor('sensor', value as never, 'inputs.sensor'),
      (error: unknown) => error instanceof MaasError && error.code === 'INVALID_ARGUMENT' && pattern.test(error.message),
    )
  ragged([[1, 2], [3]], /input 'sensor' is not a rectangular list: inputs\.sensor\[1\] has 1 elements where 2 are expected \(shape \[2,2\]/)
  ragged([[1, 2], 3], /inputs\.sensor\[1\] is a value where a list of 2 is expected/)
  ragged([1, [2]], /inputs\.sensor\[1\] is a list where a value is expected/)
  ragged([[[1], [2]], [[3], [4, 5]]], /inputs\.sensor\[1\]\[1\] has 2 elements where 1 are expected/)
})

test('formats shapes like TF-Serving', () => {
  assert.equal(formatShape([2, 3]), '[2,3]')
  assert.equal(formatShape([]), '[]')
})
