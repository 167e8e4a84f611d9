import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromFloat16Bits, toFloat16Bits } from './float16.ts'

test('round-trips exactly representable half values', () => {
  for (const value of [0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 1.5, 0.0999755859375]) {
    assert.equal(fromFloat16Bits(toFloat16Bits(value)), value)
  }
})

test('encodes known bit patterns, infinities and NaN', () => {
  assert.equal(toFloat16Bits(1), 0x3c00)
  assert.equal(toFloat16Bits(-2), 0xc000)
  assert.equal(toFloat16Bits(65520), 0x7c00)
  assert.equal(toFloat16Bits(-Infinity), 0xfc00)
  assert.ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN))))
  assert.equal(toFloat16Bits(2 ** -26), 0)
})

test('rounds to nearest even', () => {
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to even (1)
  assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00)
  assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02)
})
