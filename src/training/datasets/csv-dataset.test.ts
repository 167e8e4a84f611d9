import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { DatasetFormatError } from './dataset-errors.ts'
import { loadCsvDataset, parseCsvDataset, splitCsvLine } from './csv-dataset.ts'

const IRIS = `sepal_length,sepal_width,species
5.1,3.5,setosa
7.0,3.2,versicolor
6.3,3.3,virginica
4.9,3.0,setosa
`

describe('parseCsvDataset', () => {
  test('maps string labels to class indices in sorted order and records their names', () => {
    const dataset = parseCsvDataset(IRIS, { labelColumn: 'species' })
    assert.equal(dataset.count, 4)
    assert.deepEqual(dataset.sampleShape, [2])
    assert.deepEqual([...dataset.x], [5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0].map(Math.fround))
    assert.deepEqual([...dataset.y], [0, 1, 2, 0])
    assert.deepEqual(dataset.labels, ['setosa', 'versicolor', 'virginica'])
    assert.equal(dataset.classes, 3)
  })

  test('uses integer labels as class indices; the label column may be first, by index', () => {
    const dataset = parseCsvDataset('2,0.5,1\n0,1.5,2\r\n\n', { labelColumn: 0 })
    assert.deepEqual([...dataset.y], [2, 0])
    assert.deepEqual([...dataset.x], [0.5, 1, 1.5, 2])
    assert.equal(dataset.classes, 3)
    assert.equal(dataset.labels, undefined)
  })

  test('maps negative or fractional numeric labels in numeric order', () => {
    const dataset = parseCsvDataset('x,y\n1,10\n2,-1\n3,2\n', { labelColumn: 'y' })
    assert.deepEqual(dataset.labels, ['-1', '2', '10'])
    assert.deepEqual([...dataset.y], [2, 0, 1])
  })

  test('reads regression targets as Float32Array', () => {
    const dataset = parseCsvDataset('a,b,price\n1,2,3.25\n4,5,-6\n', { labelColumn: 'price', task: 'regression' })
    assert.ok(dataset.y instanceof Float32Array)
    assert.deepEqual([...dataset.y], [3.25, -6])
    assert.equal(dataset.classes, undefined)
  })

  test("detects a header with header: 'auto' and honours header: false / true", () => {
    assert.equal(parseCsvDataset('a,b\n1,2\n', { labelColumn: 1 }).count, 1)
    assert.equal(parseCsvDataset('1,2\n3,4\n', { labelColumn: 1 }).count, 2)
    assert.equal(parseCsvDataset('1,2\n3,4\n', { labelColumn: 1, header: true }).count, 1)
    assert.throws(() => parseCsvDataset('a,b\n1,2\n', { labelColumn: 1, header: false }), /row 1, column #0: 'a' is not a number/)
  })

  test('understands quoted fields', () => {
    assert.deepEqual(splitCsvLine(' 1, "a,b" ,"say ""hi"""'), ['1', 'a,b', 'say "hi"'])
    const dataset = parseCsvDataset('v,name\n1,"New York, NY"\n2,Boston\n', { labelColumn: 'name' })
    assert.deepEqual(dataset.labels, ['Boston', 'New York, NY'])
  })

  test('names the row and column of a non-number', () => {
    const text = 'a,b,label\n1,2,x\n3,oops,y\n'
    assert.throws(() => parseCsvDataset(text, { labelColumn: 'label', source: 'data.csv' }), (error: unknown) => {
      assert.ok(error instanceof DatasetFormatError)
      assert.equal(error.code, 'INVALID_ARGUMENT')
      assert.equal(error.message, "data.csv: row 3, column 'b' (#1): 'oops' is not a number")
      return true
    })
    assert.throws(() => parseCsvDataset('a,b\n1,\n', { labelColumn: 0 }), /row 2, column 'b' \(#1\): '' is not a number/)
  })

  test('rejects ragged rows, unknown label columns, bad regression targets and empty input', () => {
    assert.throws(() => parseCsvDataset('a,b\n1,2\n3\n', { labelColumn: 'b' }), /row 3 has 1 columns, expected 2/)
    assert.throws(() => parseCsvDataset(IRIS, { labelColumn: 'kind' }), /no column named 'kind'; columns are sepal_length, sepal_width, species/)
    assert.throws(() => parseCsvDataset(IRIS, { labelColumn: 5 }), /label column index 5 is outside 0\.\.2/)
    assert.throws(() => parseCsvDataset('1,2\n', { labelColumn: 'y', header: false }), /given by name, but the CSV has no header row/)
    assert.throws(() => parseCsvDataset(IRIS, { labelColumn: 'species', task: 'regression' }), /row 2, column 'species' \(#2\): label 'setosa' is not a number/)
    assert.throws(() => parseCsvDataset('a,b\n1,\n', { labelColumn: 'b' }), /row 2, column 'b' \(#1\): empty label/)
    assert.throws(() => parseCsvDataset('\n\n', { labelColumn: 0 }), /no rows/)
    assert.throws(() => parseCsvDataset('a,b\n', { labelColumn: 'b' }), /no data rows/)
  })
})

describe('loadCsvDataset', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'maas-csv-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('reads a file and names it in errors', async () => {
    const file = path.join(dir, 'iris.csv')
    writeFileSync(file, IRIS)
    assert.equal((await loadCsvDataset(file, { labelColumn: 'species' })).count, 4)
    writeFileSync(file, 'a,b\n1,x\n')
    await assert.rejects(loadCsvDataset(file, { labelColumn: 'a' }), new RegExp(`^DatasetFormatError: ${file}: row 2`))
  })
})
