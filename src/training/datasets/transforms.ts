/**
 * @module training/datasets/transforms
 * Pure, deterministic operations on a Dataset: normalisation, seeded shuffling, a seeded
 * train/validation split and batch iteration. Rows of x and y always move together.
 * Outputs are new datasets; the input is never written to. Views (subarray) are used where
 * rows are contiguous, so splits and unshuffled batches copy nothing.
 */
import { InvalidArgumentError } from '../../core/errors.ts'
import { sampleSizeOf, withRows, type Dataset } from './dataset.ts'
import { seededPermutation } from './seeded-random.ts'

/** x' = (x * scale - mean) / std, e.g. { scale: 1 / 255 } for pixels, then a mean/std. */
export interface NormalizeOptions {
  readonly scale?: number
  readonly mean?: number
  readonly std?: number
}

/** Returns a copy of the dataset with x normalised as (x * scale - mean) / std. */
export function normalize(dataset: Dataset, options: NormalizeOptions): Dataset {
  const { scale = 1, mean = 0, std = 1 } = options
  for (const [name, value] of [['scale', scale], ['mean', mean], ['std', std]] as const) {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`normalize: ${name} must be a finite number, got ${value}`)
  }
  if (std === 0) throw new InvalidArgumentError('normalize: std must not be 0')
  const factor = scale / std
  const offset = mean / std
  const x = new Float32Array(dataset.x.length)
  const source = dataset.x
  for (let i = 0; i < x.length; i++) x[i] = source[i]! * factor - offset
  return withRows(dataset, x, dataset.y, dataset.count)
}

/** Copies the rows `order[start..end)` of the dataset, in that order, into new arrays. */
export function selectRows(dataset: Dataset, order: ArrayLike<number>, start = 0, end = order.length): Dataset {
  const size = sampleSizeOf(dataset.sampleShape)
  const count = end - start
  const x = new Float32Array(count * size)
  const y = dataset.y instanceof Int32Array ? new Int32Array(count) : new Float32Array(count)
  for (let row = 0; row < count; row++) {
    const from = order[start + row]!
    if (!(from >= 0 && from < dataset.count)) throw new InvalidArgumentError(`row index ${from} is outside 0..${dataset.count - 1}`)
    x.set(dataset.x.subarray(from * size, (from + 1) * size), row * size)
    y[row] = dataset.y[from]!
  }
  return withRows(dataset, x, y, count)
}

/** Rows `[start, end)` as views on the dataset's arrays: no copy. */
export function sliceRows(dataset: Dataset, start: number, end: number): Dataset {
  const size = sampleSizeOf(dataset.sampleShape)
  return withRows(dataset, dataset.x.subarray(start * size, end * size), dataset.y.subarray(start, end), end - start)
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new InvalidArgumentError(`seed must be an integer, got ${seed}`)
}

/** Returns a copy with rows in a seeded random order; the same seed gives the same order. */
export function shuffle(dataset: Dataset, seed: number): Dataset {
  checkSeed(seed)
  return selectRows(dataset, seededPermutation(dataset.count, seed))
}

/** Options of splitDataset. */
export interface SplitOptions {
  /** Share of rows held out for validation, in (0, 1). */
  readonly validationFraction: number
  readonly seed: number
}

/** A dataset divided into the rows to train on and the rows to validate on. */
export interface ValidationSplit {
  train: Dataset
  validation: Dataset
}

/**
 * Shuffles once with `seed`, then holds out round(count * validationFraction) rows for
 * validation. Both parts are views on that one shuffled copy.
 */
export function splitDataset(dataset: Dataset, options: SplitOptions): ValidationSplit {
  const { validationFraction, seed } = options
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new InvalidArgumentError(`validationFraction must be between 0 and 1 (exclusive), got ${validationFraction}`)
  }
  const held = Math.round(dataset.count * validationFraction)
  if (held === 0 || held === dataset.count) {
    throw new InvalidArgumentError(
      `validationFraction ${validationFraction} of ${dataset.count} rows leaves ${held === 0 ? 'no validation' : 'no training'} rows`,
    )
  }
  const shuffled = shuffle(dataset, seed)
  const cut = dataset.count - held
  return { train: sliceRows(shuffled, 0, cut), validation: sliceRows(shuffled, cut, dataset.count) }
}

/** Options of batches. */
export interface BatchOptions {
  /** When set, rows are visited in the seeded order of shuffle(dataset, shuffleSeed). */
  readonly shuffleSeed?: number
}

/**
 * Yields consecutive batches of up to batchSize rows; the last one may be smaller. Without
 * shuffleSeed each batch is a view on the dataset (no copy); with it, each batch is gathered
 * into its own batch-sized arrays, so a batch stays valid after the next one is taken.
 */
export function batches(dataset: Dataset, batchSize: number, options: BatchOptions = {}): Generator<Dataset, void, undefined> {
  // Checked here, not inside the generator, so bad arguments fail at the call.
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`)
  }
  const { shuffleSeed } = options
  if (shuffleSeed !== undefined) checkSeed(shuffleSeed)
  const order = shuffleSeed === undefined ? undefined : seededPermutation(dataset.count, shuffleSeed)
  return generateBatches(dataset, batchSize, order)
}

function* generateBatches(dataset: Dataset, batchSize: number, order: Uint32Array | undefined): Generator<Dataset, void, undefined> {
  for (let start = 0; start < dataset.count; start += batchSize) {
    const end = Math.min(start + batchSize, dataset.count)
    yield order === undefined ? sliceRows(dataset, start, end) : selectRows(dataset, order, start, end)
  }
}
