import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DATATYPES } from '../../../core/datatypes.ts'
import { tfDtypeOf } from './tfserving-dtypes.ts'

test('maps every KServe datatype to a distinct TensorFlow dtype', () => {
  const names = DATATYPES.map(tfDtypeOf)
  assert.equal(new Set(names).size, DATATYPES.length)
  assert.ok(names.every((name) => /^DT_[A-Z0-9]+$/.test(name)))
})

test('uses TensorFlow names for floats and strings', () => {
  assert.equal(tfDtypeOf('FP16'), 'DT_HALF')
  assert.equal(tfDtypeOf('FP32'), 'DT_FLOAT')
  assert.equal(tfDtypeOf('FP64'), 'DT_DOUBLE')
  assert.equal(tfDtypeOf('BYTES'), 'DT_STRING')
  assert.equal(tfDtypeOf('UINT64'), 'DT_UINT64')
})
