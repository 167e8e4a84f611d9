import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toFloat16Bits } from '../core/float16.ts'
import type { Tensor } from '../core/tensor.ts'
import { classificationCounts, classify } from './classification.ts'

const texts = (tensor: Tensor) => (tensor.data as Uint8Array[]).map((bytes) => new TextDecoder().decode(bytes))

test("the spec's example: top-2 of [1, 5, 10, 4] by value, integers printed as digits", () => {
  const result = classify({ name: 'out', datatype: 'UINT32', shape: [4], data: Uint32Array.of(1, 5, 10, 4) }, 2, false, undefined)
  assert.equal(result.datatype, 'BYTES')
  assert.deepEqual(result.shape, [2])
  assert.deepEqual(texts(result), ['10:2', '5:1'])
  const labelled = classify({ name: 'out', datatype: 'UINT32', shape: [4], data: Uint32Array.of(1, 5, 10, 4) }, 2, false, ['a', 'pickle', 'apple'])
  assert.deepEqual(texts(labelled), ['10:2:apple', '5:1:pickle'])
})

test('batched outputs classify each row; floats print with six decimals as std::to_string does; ties keep the lower index', () => {
  const tensor: Tensor = { name: 'p', datatype: 'FP32', shape: [2, 3], data: Float32Array.of(0.25, 0.5, 0.25, 0.9, 0.05, 0.05) }
  const result = classify(tensor, 2, true, ['x', 'y', 'z'])
  assert.deepEqual(result.shape, [2, 2])
  assert.deepEqual(texts(result), ['0.500000:1:y', '0.250000:0:x', '0.900000:0:x', '0.050000:1:y'])
})

test('a count above the row length gives the whole row; FP16, INT64 and NaN are compared by value', () => {
  const half: Tensor = { name: 'h', datatype: 'FP16', shape: [3], data: Uint16Array.of(toFloat16Bits(-1), toFloat16Bits(2), toFloat16Bits(0.5)) }
  assert.deepEqual(texts(classify(half, 5, false, undefined)), ['2.000000:1', '0.500000:2', '-1.000000:0'])
  const wide: Tensor = { name: 'i', datatype: 'INT64', shape: [1, 3], data: BigInt64Array.of(2n ** 62n, -5n, 2n ** 62n + 1n) }
  assert.deepEqual(texts(classify(wide, 1, true, undefined)), ['4611686018427387905:2'])
  const nan: Tensor = { name: 'n', datatype: 'FP64', shape: [3], data: Float64Array.of(Number.NaN, 1, -Infinity) }
  assert.deepEqual(texts(classify(nan, 3, false, undefined)), ['1.000000:1', '-inf:2', 'nan:0'])
})

test('classificationCounts validates the parameter and the output datatype before anything runs', () => {
  const specs = [{ name: 'p', datatype: 'FP32', shape: [-1, 3] }, { name: 's', datatype: 'BYTES', shape: [-1] }] as never
  assert.equal(classificationCounts([{ name: 'p' }], specs), undefined)
  assert.deepEqual([...classificationCounts([{ name: 'p', parameters: { classification: 2 } }], specs)!], [['p', 2]])
  for (const bad of [0, -1, 1.5, '2', true]) {
    assert.throws(() => classificationCounts([{ name: 'p', parameters: { classification: bad } }], specs), /positive integer/)
  }
  assert.throws(() => classificationCounts([{ name: 's', parameters: { classification: 1 } }], specs), /output 's' is BYTES; classification needs a numeric output/)
})

test('top classes of a long row (the bounded selection) match a full sort, ties by lower index; an empty batch keeps [0, N]', () => {
  const values = Float32Array.from({ length: 5000 }, (_, index) => Math.round(Math.sin(index * 12.9898) * 50) / 10)
  const result = texts(classify({ name: 'p', datatype: 'FP32', shape: [1, 5000], data: values }, 7, true, undefined))
  const expected = [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b).slice(0, 7).map((index) => `${values[index]!.toFixed(6)}:${index}`)
  assert.deepEqual(result, expected)
  const empty = classify({ name: 'p', datatype: 'FP32', shape: [0, 5], data: new Float32Array(0) }, 3, true, undefined)
  assert.deepEqual([empty.shape, empty.data], [[0, 3], []])
  assert.deepEqual(texts(classify({ name: 'z', datatype: 'FP64', shape: [2], data: Float64Array.of(-0, -1) }, 2, false, undefined)), ['-0.000000:0', '-1.000000:1'])
})
