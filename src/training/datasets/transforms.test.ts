import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { InvalidArgumentError } from '../../core/errors.ts'
import { createDataset, type Dataset } from './dataset.ts'
import { batches, normalize, selectRows, shuffle, sliceRows, splitDataset } from './transforms.ts'

/** n rows of 2 values; row i holds [i, 1000 + i] and label i, so alignment is checkable. */
function rowsDataset(n: number): Dataset {
  const x = new Float32Array(2 * n)
  const y = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    x[2 * i] = i
    x[2 * i + 1] = 1000 + i
    y[i] = i
  }
  return createDataset({ x, y, sampleShape: [2], count: n, classes: n })
}

function assertAligned(dataset: Dataset): void {
  for (let i = 0; i < dataset.count; i++) {
    const label = dataset.y[i]!
    assert.deepEqual([dataset.x[2 * i], dataset.x[2 * i + 1]], [label, 1000 + label], `row ${i}`)
  }
}

describe('normalize', () => {
  test('scales pixels by 1/255, then subtracts mean and divides by std', () => {
    const data = createDataset({ x: Float32Array.of(0, 255, 51), y: new Int32Array(3), sampleShape: [], count: 3 })
    assert.deepEqual([...normalize(data, { scale: 1 / 255 }).x], [0, 1, Math.fround(0.2)])
    const standard = normalize(data, { scale: 1 / 255, mean: 0.5, std: 0.5 })
    assert.deepEqual([...standard.x].map((v) => Math.round(v * 1e6) / 1e6), [-1, 1, -0.6])
    assert.equal(data.x[1], 255, 'the input is not written to')
  })

  test('rejects std 0 and non-finite options', () => {
    const data = rowsDataset(2)
    assert.throws(() => normalize(data, { std: 0 }), InvalidArgumentError)
    assert.throws(() => normalize(data, { scale: Number.NaN }), /scale must be a finite number/)
  })
})

describe('shuffle', () => {
  test('gives the same order for the same seed and another for another seed', () => {
    const data = rowsDataset(50)
    assert.deepEqual(shuffle(data, 1).y, shuffle(data, 1).y)
    assert.notDeepEqual(shuffle(data, 1).y, shuffle(data, 2).y)
    assert.notDeepEqual(shuffle(data, 1).y, data.y)
  })

  test('moves x rows and y labels together and keeps every row once', () => {
    const shuffled = shuffle(rowsDataset(50), 3)
    assertAligned(shuffled)
    assert.deepEqual([...shuffled.y].sort((a, b) => a - b), [...rowsDataset(50).y])
    assert.equal(shuffled.classes, 50)
  })

  test('keeps regression targets as Float32Array', () => {
    const data = createDataset({ x: Float32Array.of(1, 2, 3), y: Float32Array.of(0.5, 1.5, 2.5), sampleShape: [1], count: 3 })
    const shuffled = shuffle(data, 9)
    assert.ok(shuffled.y instanceof Float32Array)
    for (let i = 0; i < 3; i++) assert.equal(shuffled.y[i], shuffled.x[i]! - 0.5)
  })

  test('rejects a non-integer seed', () => {
    assert.throws(() => shuffle(rowsDataset(3), 0.5), /seed must be an integer/)
  })
})

describe('splitDataset', () => {
  test('holds out round(count * fraction) rows, disjoint, aligned and repeatable', () => {
    const data = rowsDataset(101)
    const { train, validation } = splitDataset(data, { validationFraction: 0.2, seed: 5 })
    assert.equal(validation.count, 20)
    assert.equal(train.count, 81)
    assertAligned(train)
    assertAligned(validation)
    const all = [...train.y, ...validation.y].sort((a, b) => a - b)
    assert.deepEqual(all, [...data.y])
    assert.deepEqual(splitDataset(data, { validationFraction: 0.2, seed: 5 }).validation.y, validation.y)
    assert.notDeepEqual(splitDataset(data, { validationFraction: 0.2, seed: 6 }).validation.y, validation.y)
  })

  test('shares one buffer between the parts instead of copying twice', () => {
    const { train, validation } = splitDataset(rowsDataset(10), { validationFraction: 0.5, seed: 1 })
    assert.equal(train.x.buffer, validation.x.buffer)
  })

  test('rejects fractions outside (0, 1) and splits that leave a part empty', () => {
    assert.throws(() => splitDataset(rowsDataset(10), { validationFraction: 1, seed: 1 }), /between 0 and 1/)
    assert.throws(() => splitDataset(rowsDataset(3), { validationFraction: 0.1, seed: 1 }), /leaves no validation rows/)
  })
})

describe('batches', () => {
  test('yields full batches and a last partial one, as views without a shuffle', () => {
    const data = rowsDataset(10)
    const list = [...batches(data, 4)]
    assert.deepEqual(list.map((b) => b.count), [4, 4, 2])
    assert.deepEqual([...list[2]!.y], [8, 9])
    assert.equal(list[0]!.x.buffer, data.x.buffer)
    list.forEach(assertAligned)
  })

  test('with shuffleSeed visits rows in the order of shuffle(dataset, seed)', () => {
    const data = rowsDataset(10)
    const seen = [...batches(data, 3, { shuffleSeed: 4 })].flatMap((b) => [...b.y])
    assert.deepEqual(seen, [...shuffle(data, 4).y])
    for (const batch of batches(data, 3, { shuffleSeed: 4 })) assertAligned(batch)
  })

  test('rejects a batch size below 1 at the call, not at the first next()', () => {
    assert.throws(() => batches(rowsDataset(3), 0), /batchSize must be a positive integer/)
  })

  test('selectRows and sliceRows agree on the rows they take', () => {
    const data = rowsDataset(6)
    assert.deepEqual(selectRows(data, [2, 3, 4]).x, new Float32Array(sliceRows(data, 2, 5).x))
    assert.throws(() => selectRows(data, [6]), /row index 6 is outside 0\.\.5/)
  })
})
