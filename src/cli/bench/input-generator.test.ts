import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DATATYPES } from '../../core/datatypes.ts'
import { fromFloat16Bits } from '../../core/float16.ts'
import { BenchSetupError } from './bench-setup-error.ts'
import { encodeByteStrings, generateInputs, randomTensor, resolveShape } from './input-generator.ts'

/** A deterministic [0, 1) sequence. */
function seeded(seed = 1): () => number {
  let state = seed
  return () => ((state = (state * 16807) % 2147483647) - 1) / 2147483646
}

test('a leading -1 takes the batch size; fixed dimensions stay', () => {
  assert.deepEqual(resolveShape({ name: 'x', datatype: 'FP32', shape: [-1, 16] }, 4, undefined), [4, 16])
  assert.deepEqual(resolveShape({ name: 'x', datatype: 'FP32', shape: [3, 2] }, 4, undefined), [3, 2])
})

test('--shape gives dynamic dimensions, with or without the batch dimension', () => {
  const input = { name: 'x', datatype: 'FP32', shape: [-1, -1, 3] }
  assert.deepEqual(resolveShape(input, 2, [5, 3]), [2, 5, 3])
  assert.deepEqual(resolveShape(input, 2, [7, 5, 3]), [7, 5, 3])
})

test('a dynamic inner dimension without --shape, or a --shape that contradicts the model, is refused', () => {
  assert.throws(() => resolveShape({ name: 'x', datatype: 'FP32', shape: [-1, -1] }, 1, undefined), /--shape x:D1,D2/)
  assert.throws(() => resolveShape({ name: 'x', datatype: 'FP32', shape: [-1, 16] }, 1, [3]), /fixes it at 16/)
  assert.throws(() => resolveShape({ name: 'x', datatype: 'FP32', shape: [-1, 16] }, 1, [1, 2, 3]), BenchSetupError)
})

test('every datatype: JSON values and raw bytes agree in count and meaning', () => {
  for (const datatype of DATATYPES) {
    const { json, raw } = randomTensor(datatype, 6, seeded())
    assert.equal(json.length, 6, datatype)
    if (datatype === 'BYTES') {
      assert.ok(json.every((value) => typeof value === 'string' && value.length >= 1 && value.length <= 8))
      assert.deepEqual(raw, encodeByteStrings(json as string[]))
      continue
    }
    const size = { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8 }[datatype]
    assert.equal(raw.length, 6 * size, datatype)
  }
})

test('floats are in [0, 1) and exact on both paths; integers small; BOOL booleans', () => {
  const random = seeded(7)
  const fp32 = randomTensor('FP32', 50, random)
  assert.deepEqual(fp32.json, [...new Float32Array(new Uint8Array(fp32.raw).buffer)])
  assert.ok(fp32.json.every((value) => (value as number) >= 0 && (value as number) < 1))
  const fp16 = randomTensor('FP16', 50, random)
  const halves = new Uint16Array(new Uint8Array(fp16.raw).buffer)
  assert.deepEqual(fp16.json, [...halves].map(fromFloat16Bits))
  const int8 = randomTensor('INT8', 50, random)
  assert.deepEqual(int8.json, [...new Int8Array(new Uint8Array(int8.raw).buffer)])
  assert.ok(int8.json.every((value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) < 100))
  const int64 = randomTensor('INT64', 5, random)
  assert.deepEqual(int64.json, [...new BigInt64Array(new Uint8Array(int64.raw).buffer)].map(Number))
  const bool = randomTensor('BOOL', 50, random)
  assert.deepEqual(bool.json, [...bool.raw].map((byte) => byte === 1))
  assert.ok([...bool.raw].every((byte) => byte <= 1))
})

test('BYTES raw layout is a 4-byte little-endian length before each element', () => {
  assert.deepEqual([...encodeByteStrings(['ab', ''])], [2, 0, 0, 0, 97, 98, 0, 0, 0, 0])
})

test('generateInputs covers every input and refuses unknown --shape names and datatypes', () => {
  const inputs = [
    { name: 'INPUT0', datatype: 'INT32', shape: [-1, 16] },
    { name: 'INPUT1', datatype: 'INT32', shape: [-1, 16] },
  ]
  const generated = generateInputs(inputs, { batchSize: 2, shapes: new Map() }, seeded())
  assert.deepEqual(generated.map((input) => [input.name, input.shape, input.json.length, input.raw.length]), [
    ['INPUT0', [2, 16], 32, 128],
    ['INPUT1', [2, 16], 32, 128],
  ])
  assert.throws(() => generateInputs(inputs, { batchSize: 1, shapes: new Map([['nope', [1]]]) }), /--shape names no input.*nope/)
  assert.throws(() => generateInputs([{ name: 'x', datatype: 'BF16', shape: [1] }], { batchSize: 1, shapes: new Map() }), /BF16/)
})
