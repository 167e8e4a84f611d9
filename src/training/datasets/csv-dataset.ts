/**
 * @module training/datasets/csv-dataset
 * A Dataset from CSV text: every column but the label column must be numeric; the label
 * column is chosen by header name or 0-based index. Classification labels may be
 * non-negative integers (used as class indices) or any strings/numbers (mapped to indices
 * in sorted order, names kept in `labels`); regression labels must be numbers.
 * Quoted fields ("a,b", "say ""hi""") are understood; fields spanning lines are not.
 */
import { readFile } from 'node:fs/promises'
import { createDataset, type Dataset } from './dataset.ts'
import { DatasetFormatError } from './dataset-errors.ts'

/** Options of parseCsvDataset. */
export interface CsvDatasetOptions {
  /** Header name, or 0-based column index, of the label column. */
  readonly labelColumn: string | number
  /** Whether the first row names the columns; 'auto' (default) detects a non-numeric first row. */
  readonly header?: boolean | 'auto'
  /** 'classification' (default): Int32Array class indices; 'regression': Float32Array targets. */
  readonly task?: 'classification' | 'regression'
  /** Names the text in error messages (loadCsvDataset passes the file path). */
  readonly source?: string
}

/** Splits one CSV line into fields, honouring double quotes. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { fields.push(field); field = '' } else field += c
  }
  fields.push(field)
  return fields.map((value) => value.trim())
}

/** The number a CSV cell holds, or undefined for blanks and non-numbers. */
function toNumber(cell: string): number | undefined {
  if (cell === '') return undefined
  const value = Number(cell)
  return Number.isFinite(value) ? value : undefined
}

function resolveLabelIndex(labelColumn: string | number, header: readonly string[] | undefined, width: number, source: string): number {
  if (typeof labelColumn === 'number') {
    if (!Number.isInteger(labelColumn) || labelColumn < 0 || labelColumn >= width) {
      throw new DatasetFormatError(`${source}: label column index ${labelColumn} is outside 0..${width - 1}`)
    }
    return labelColumn
  }
  if (header === undefined) {
    throw new DatasetFormatError(`${source}: label column '${labelColumn}' is given by name, but the CSV has no header row`)
  }
  const index = header.indexOf(labelColumn)
  if (index === -1) {
    throw new DatasetFormatError(`${source}: no column named '${labelColumn}'; columns are ${header.join(', ')}`)
  }
  return index
}

/** Parses CSV text into a Dataset with sampleShape [number of feature columns]. */
export function parseCsvDataset(text: string, options: CsvDatasetOptions): Dataset {
  const { labelColumn, task = 'classification', source = 'CSV' } = options
  const rows: { line: number; cells: string[] }[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() !== '') rows.push({ line: i + 1, cells: splitCsvLine(raw) })
  })
  const first = rows[0]
  if (first === undefined) throw new DatasetFormatError(`${source}: no rows`)
  const width = first.cells.length
  let hasHeader: boolean
  if (options.header === undefined || options.header === 'auto') {
    const labelIndex = typeof labelColumn === 'number' ? labelColumn : -1
    hasHeader = typeof labelColumn === 'string' || first.cells.some((cell, i) => i !== labelIndex && toNumber(cell) === undefined)
  } else {
    hasHeader = options.header
  }
  const header = hasHeader ? first.cells : undefined
  const dataRows = hasHeader ? rows.slice(1) : rows
  const labelIndex = resolveLabelIndex(labelColumn, header, width, source)
  const columnName = (i: number): string => (header?.[i] === undefined || header[i] === '' ? `#${i}` : `'${header[i]}' (#${i})`)
  if (dataRows.length === 0) throw new DatasetFormatError(`${source}: no data rows`)

  const features = width - 1
  const x = new Float32Array(dataRows.length * features)
  const rawLabels: string[] = []
  dataRows.forEach(({ line, cells }, row) => {
    if (cells.length !== width) {
      throw new DatasetFormatError(`${source}: row ${line} has ${cells.length} columns, expected ${width}`)
    }
    let column = 0
    cells.forEach((cell, i) => {
      if (i === labelIndex) {
        rawLabels.push(cell)
        return
      }
      const value = toNumber(cell)
      if (value === undefined) {
        throw new DatasetFormatError(`${source}: row ${line}, column ${columnName(i)}: '${cell}' is not a number`)
      }
      x[row * features + column++] = value
    })
  })
  const count = dataRows.length
  const base = { x, count, sampleShape: [features] }

  if (task === 'regression') {
    const y = new Float32Array(count)
    rawLabels.forEach((cell, row) => {
      const value = toNumber(cell)
      if (value === undefined) {
        throw new DatasetFormatError(`${source}: row ${dataRows[row]!.line}, column ${columnName(labelIndex)}: label '${cell}' is not a number`)
      }
      y[row] = value
    })
    return createDataset({ ...base, y })
  }
  return createDataset({ ...base, ...classLabels(rawLabels, dataRows, labelIndex, columnName, source) })
}

function classLabels(
  rawLabels: readonly string[],
  dataRows: readonly { line: number }[],
  labelIndex: number,
  columnName: (i: number) => string,
  source: string,
): { y: Int32Array; classes: number; labels?: readonly string[] } {
  const blank = rawLabels.indexOf('')
  if (blank !== -1) {
    throw new DatasetFormatError(`${source}: row ${dataRows[blank]!.line}, column ${columnName(labelIndex)}: empty label`)
  }
  const numbers = rawLabels.map(toNumber)
  const y = new Int32Array(rawLabels.length)
  if (numbers.every((n): n is number => n !== undefined && Number.isInteger(n) && n >= 0 && n < 2 ** 31)) {
    // Integer labels are class indices already; classes covers 0..max.
    numbers.forEach((n, row) => { y[row] = n })
    return { y, classes: numbers.reduce((max, n) => Math.max(max, n + 1), 0) }
  }
  const allNumeric = numbers.every((n) => n !== undefined)
  const distinct = [...new Set(allNumeric ? numbers.map(String) : rawLabels)]
  distinct.sort(allNumeric ? (a, b) => Number(a) - Number(b) : undefined)
  const indexOf = new Map(distinct.map((label, i) => [label, i]))
  rawLabels.forEach((label, row) => { y[row] = indexOf.get(allNumeric ? String(numbers[row]) : label)! })
  return { y, classes: distinct.length, labels: distinct }
}

/** Reads a CSV file and parses it with parseCsvDataset; errors name the file. */
export async function loadCsvDataset(file: string, options: CsvDatasetOptions): Promise<Dataset> {
  const text = await readFile(file, 'utf8')
  return parseCsvDataset(text, { source: file, ...options })
}
