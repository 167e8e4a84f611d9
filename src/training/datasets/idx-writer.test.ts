import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { MaasError } from '../../core/errors.ts'
import { parseIdx } from './idx-reader.ts'
import { encodeIdx } from './idx-writer.ts'

describe('encodeIdx', () => {
  test('writes the MNIST label magic 0x00000801 and big-endian sizes', () => {
    const bytes = encodeIdx('uint8', [3], [7, 8, 9])
    assert.deepEqual([...bytes], [0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9])
  })

  test('round-trips every element type through parseIdx', () => {
    const cases = [
      ['uint8', [0, 255, 17]],
      ['int8', [-128, 127, -1]],
      ['int16', [-32768, 32767, 258]],
      ['int32', [-(2 ** 31), 2 ** 31 - 1, 65536]],
      ['float32', [1.5, -0.25, 1e10]],
      ['float64', [Math.PI, -1e-300, 2 ** 60]],
    ] as const
    for (const [dtype, values] of cases) {
      const parsed = parseIdx(encodeIdx(dtype, [1, 3], values), 'test')
      assert.equal(parsed.dtype, dtype)
      assert.deepEqual(parsed.dims, [1, 3])
      assert.deepEqual([...parsed.data], [...values], dtype)
    }
  })

  test('rejects data that does not fill the dimensions', () => {
    assert.throws(() => encodeIdx('uint8', [2, 2], [1, 2, 3]), (error: unknown) => {
      assert.ok(error instanceof MaasError)
      assert.equal(error.code, 'INVALID_ARGUMENT')
      assert.match(error.message, /need 4 elements, got 3/)
      return true
    })
  })
})
