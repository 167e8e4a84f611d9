import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DATATYPES, TYPED_ARRAY_OF, isFixedDatatype, type Datatype } from '../core/datatypes.ts'
import type { Tensor, TensorData } from '../core/tensor.ts'
import { concatAlongBatch, haveSameRowLayout, splitAlongBatch } from './batch-tensors.ts'

/** A [rows, 2] tensor of `datatype` whose elements are start, start+1, …, as the datatype stores them. */
function tensor(datatype: Datatype, rows: number, start: number): Tensor {
  const values = Array.from({ length: rows * 2 }, (_, index) => start + index)
  let data: TensorData
  if (!isFixedDatatype(datatype)) data = values.map((value) => new TextEncoder().encode(`s${value}`))
  else if (datatype === 'INT64' || datatype === 'UINT64') data = new TYPED_ARRAY_OF[datatype](values.map(BigInt))
  else data = new TYPED_ARRAY_OF[datatype](values)
  return { name: 'X', datatype, shape: [rows, 2], data }
}

const asList = (data: TensorData) => (Array.isArray(data) ? data.map((bytes) => new TextDecoder().decode(bytes)) : [...data])

describe('concatAlongBatch and splitAlongBatch', () => {
  for (const datatype of DATATYPES) {
    test(`${datatype}: stacks parts along dimension 0 and splits them back into the same rows`, () => {
      const parts = [tensor(datatype, 1, 0), tensor(datatype, 3, 2), tensor(datatype, 2, 8)]
      const merged = concatAlongBatch(parts)
      assert.equal(merged.datatype, datatype)
      assert.deepEqual(merged.shape, [6, 2])
      assert.deepEqual(asList(merged.data), asList(tensor(datatype, 6, 0).data))
      if (isFixedDatatype(datatype)) assert.equal(merged.data.constructor, TYPED_ARRAY_OF[datatype])
      const pieces = splitAlongBatch(merged, [1, 3, 2])
      assert.equal(pieces.length, 3)
      pieces.forEach((piece, index) => {
        const part = parts[index]!
        assert.deepEqual(piece.shape, part.shape)
        assert.equal(piece.datatype, datatype)
        assert.equal(piece.data.constructor, part.data.constructor)
        assert.deepEqual(asList(piece.data), asList(part.data))
      })
    })
  }

  test('INT64 and UINT64 keep values beyond 2^53 exactly', () => {
    const big = 2n ** 62n + 1n
    const parts: Tensor[] = [
      { name: 'X', datatype: 'INT64', shape: [1], data: new BigInt64Array([-big]) },
      { name: 'X', datatype: 'INT64', shape: [1], data: new BigInt64Array([big]) },
    ]
    const merged = concatAlongBatch(parts)
    assert.deepEqual([...(merged.data as BigInt64Array)], [-big, big])
    const unsigned = concatAlongBatch([
      { name: 'U', datatype: 'UINT64', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
      { name: 'U', datatype: 'UINT64', shape: [1], data: new BigUint64Array([0n]) },
    ])
    assert.deepEqual([...(splitAlongBatch(unsigned, [1, 1])[0]!.data as BigUint64Array)], [2n ** 64n - 1n])
  })

  test('BYTES elements of different lengths, including empty ones, travel unchanged', () => {
    const bytes = (...texts: string[]) => texts.map((text) => new TextEncoder().encode(text))
    const merged = concatAlongBatch([
      { name: 'S', datatype: 'BYTES', shape: [2], data: bytes('', 'hello') },
      { name: 'S', datatype: 'BYTES', shape: [1], data: bytes('wörld') },
    ])
    assert.deepEqual(merged.shape, [3])
    const [first, second] = splitAlongBatch(merged, [2, 1])
    assert.deepEqual(asList(first!.data), ['', 'hello'])
    assert.deepEqual(asList(second!.data), ['wörld'])
  })

  test('a single part is copied into a fresh tensor named after it, without its parameters', () => {
    const part: Tensor = { ...tensor('FP32', 2, 0), parameters: { binary_data_size: 16 } }
    const merged = concatAlongBatch([part])
    assert.notEqual(merged.data, part.data)
    assert.equal(merged.name, 'X')
    assert.equal(merged.parameters, undefined)
  })

  test('split pieces are copies: changing one leaves the batch and the other pieces alone', () => {
    const merged = tensor('INT32', 2, 0)
    const [first, second] = splitAlongBatch(merged, [1, 1])
    ;(first!.data as Int32Array)[0] = 99
    assert.deepEqual([...(merged.data as Int32Array)], [0, 1, 2, 3])
    assert.deepEqual([...(second!.data as Int32Array)], [2, 3])
    assert.equal((first!.data as Int32Array).buffer.byteLength, 8, 'a piece must not hold the whole batch buffer')
  })

  test('split keeps the output parameters and allows zero-row pieces', () => {
    const output: Tensor = { ...tensor('FP64', 2, 0), parameters: { note: 'x' } }
    const pieces = splitAlongBatch(output, [0, 2])
    assert.deepEqual(pieces[0]!.shape, [0, 2])
    assert.equal(pieces[0]!.data.length, 0)
    assert.deepEqual(pieces[1]!.parameters, { note: 'x' })
  })

  test('refuses to stack tensors of different datatype or row shape, or scalars', () => {
    assert.throws(() => concatAlongBatch([tensor('FP32', 1, 0), tensor('FP64', 1, 0)]), /cannot concatenate FP64\[1, 2\] onto FP32\[1, 2\]/)
    const wide: Tensor = { name: 'X', datatype: 'FP32', shape: [1, 3], data: new Float32Array(3) }
    assert.throws(() => concatAlongBatch([tensor('FP32', 1, 0), wide]), RangeError)
    const scalar: Tensor = { name: 'X', datatype: 'FP32', shape: [], data: new Float32Array(1) }
    assert.throws(() => concatAlongBatch([scalar, scalar]), RangeError)
    assert.throws(() => concatAlongBatch([]), RangeError)
  })

  test('refuses to split rows that do not add up to dimension 0, or data that does not fill the shape', () => {
    assert.throws(() => splitAlongBatch(tensor('FP32', 3, 0), [1, 1]), /cannot split \[3, 2\] into 2 rows/)
    assert.throws(() => splitAlongBatch({ name: 'X', datatype: 'FP32', shape: [], data: new Float32Array(1) }, [1]), RangeError)
    assert.throws(() => splitAlongBatch({ name: 'X', datatype: 'FP32', shape: [2, 2], data: new Float32Array(3) }, [1, 1]), /holds 3 elements/)
  })
})

describe('haveSameRowLayout', () => {
  test('compares datatype and every dimension after the first', () => {
    assert.equal(haveSameRowLayout(tensor('FP32', 1, 0), tensor('FP32', 5, 0)), true)
    assert.equal(haveSameRowLayout(tensor('FP32', 1, 0), tensor('FP16', 1, 0)), false)
    assert.equal(haveSameRowLayout(tensor('FP32', 1, 0), { name: 'X', datatype: 'FP32', shape: [1, 2, 1], data: new Float32Array(2) }), false)
  })
})
