/**
 * @module training/datasets/dataset
 * The in-memory dataset every loader returns and every transform takes: one Float32Array
 * of samples, row-major [count, ...sampleShape], and one label (class index or regression
 * target) per sample. Plain data, so batches can be subarray views of a larger dataset.
 */
import { InvalidArgumentError } from '../../core/errors.ts'

/** Samples and their labels, held in memory. */
export interface Dataset {
  /** Sample values, row-major [count, ...sampleShape]. */
  readonly x: Float32Array
  /** Class indices (Int32Array) for classification, targets (Float32Array) for regression. */
  readonly y: Int32Array | Float32Array
  /** Shape of one sample, e.g. [28, 28] for an MNIST image or [4] for a CSV row. */
  readonly sampleShape: readonly number[]
  readonly count: number
  /** Number of classes, for classification datasets. */
  readonly classes?: number
  /** Human-readable name of each class index, when known. */
  readonly labels?: readonly string[]
}

/** A dataset's canonical train and test parts. */
export interface DatasetSplit {
  train: Dataset
  test: Dataset
}

/** Number of values in one sample: the product of sampleShape. */
export function sampleSizeOf(sampleShape: readonly number[]): number {
  let size = 1
  for (const dim of sampleShape) size *= dim
  return size
}

/** Builds a frozen Dataset after checking that x, y, count and sampleShape agree. */
export function createDataset(fields: Dataset): Dataset {
  const { x, y, sampleShape, count, classes, labels } = fields
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidArgumentError(`dataset count must be a non-negative integer, got ${count}`)
  }
  if (sampleShape.some((dim) => !Number.isInteger(dim) || dim < 0)) {
    throw new InvalidArgumentError(`dataset sampleShape must hold non-negative integers, got [${sampleShape.join(', ')}]`)
  }
  const expected = count * sampleSizeOf(sampleShape)
  if (x.length !== expected) {
    throw new InvalidArgumentError(
      `dataset x holds ${x.length} values; ${count} samples of shape [${sampleShape.join(', ')}] need ${expected}`,
    )
  }
  if (y.length !== count) {
    throw new InvalidArgumentError(`dataset y holds ${y.length} labels for ${count} samples`)
  }
  if (labels !== undefined && classes !== undefined && labels.length !== classes) {
    throw new InvalidArgumentError(`dataset has ${classes} classes but ${labels.length} label names`)
  }
  const dataset: Dataset = {
    x,
    y,
    sampleShape: Object.freeze([...sampleShape]),
    count,
    ...(classes === undefined ? {} : { classes }),
    ...(labels === undefined ? {} : { labels: Object.freeze([...labels]) }),
  }
  return Object.freeze(dataset)
}

/** The same dataset description with other x, y and count (classes and labels carried over). */
export function withRows(dataset: Dataset, x: Float32Array, y: Int32Array | Float32Array, count: number): Dataset {
  return createDataset({
    x,
    y,
    count,
    sampleShape: dataset.sampleShape,
    ...(dataset.classes === undefined ? {} : { classes: dataset.classes }),
    ...(dataset.labels === undefined ? {} : { labels: dataset.labels }),
  })
}
