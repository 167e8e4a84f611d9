/**
 * @module control/jobs/train-job-spec
 * What `POST /v1/jobs` takes, checked in full before anything is queued: the model (a preset
 * or a Keras-like spec, built and compiled to its training graph), the dataset (a known name
 * whose files are on this server), compile and fit options, the registry name and alias.
 * Every refusal is an INVALID_ARGUMENT naming the field and what was expected, so a bad job
 * is a 400 at submission instead of a FAILED job a minute later.
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { InvalidArgumentError, MaasError } from '../../core/errors.ts'
import type { Model } from '../../nn/model.ts'
import { modelFromSpec } from '../../nn/model-spec.ts'
import { seedCnn, seedMlp } from '../../nn/presets.ts'
import { assertAliasName, assertModelName } from '../../registry/registry-names.ts'
import { DATASET_NAMES, IDX_FILE_NAMES, type DatasetName } from '../../training/datasets/named-datasets.ts'
import { compileModelTraining, describeModelIo, parseCompileOptions, type CompileOptions } from '../../training/trainer/compiled-model.ts'

/** The presets a job may name instead of a spec. */
export const MODEL_PRESETS = Object.freeze(['seed-mlp', 'seed-cnn'] as const)
export type ModelPreset = (typeof MODEL_PRESETS)[number]

/** Fit options a job may set (Trainer.fit's, minus callbacks and checkpoint). */
export interface JobFitOptions {
  readonly epochs: number
  readonly batchSize: number
  readonly validationSplit?: number
  readonly seed: number
  readonly shuffle: boolean
  /** Absent: the trainer's default for the batch and sample size. */
  readonly stepsPerCall?: number
}

/** A validated training job, as stored in the registry's job row. */
export interface TrainJobSpec {
  /** Registry model to register the trained version into; created when absent. */
  readonly model: string
  readonly preset?: ModelPreset
  readonly spec?: unknown
  readonly dataset: DatasetName
  readonly compile: CompileOptions
  readonly fit: JobFitOptions
  /** Alias to point at the new version, e.g. 'production'. */
  readonly alias?: string
}

/** Every dataset a job can name has 28×28 images of 10 classes. */
const DATASET_SAMPLE_SHAPE = [28, 28]
const DATASET_CLASSES = 10
export const MAX_EPOCHS = 1000
const TOP_LEVEL_KEYS = ['model', 'preset', 'spec', 'dataset', 'compile', 'fit', 'alias']
const FIT_KEYS = ['epochs', 'batchSize', 'validationSplit', 'seed', 'shuffle', 'stepsPerCall']
const COMPILE_KEYS = ['optimizer', 'loss', 'metrics', 'clipNorm', 'learningRateSchedule']
const DEFAULT_COMPILE: CompileOptions = { optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] }

/** Where named datasets are looked for: `<datasetsDir>/<name>/` and the system folders. */
export interface DatasetLocations {
  readonly datasetsDir: string
  readonly systemDirs?: Readonly<Partial<Record<DatasetName, readonly string[]>>>
}

const SYSTEM_DIRS: Readonly<Partial<Record<DatasetName, readonly string[]>>> = { 'fashion-mnist': ['/usr/share/datasets/fashion-mnist'] }

/** Checks a submitted job body and returns it with defaults filled in; INVALID_ARGUMENT otherwise. */
export async function parseTrainJobSpec(body: unknown, locations: DatasetLocations): Promise<TrainJobSpec> {
  const job = objectAt(body, 'job')
  refuseUnknownKeys(job, TOP_LEVEL_KEYS, '')
  const model = stringAt(job.model, 'model')
  assertModelName(model)
  if (job.alias !== undefined) assertAliasName(stringAt(job.alias, 'alias'))
  if ((job.preset === undefined) === (job.spec === undefined)) {
    throw new InvalidArgumentError(`give exactly one of 'preset' (${MODEL_PRESETS.join(', ')}) or 'spec' (a Keras-like model JSON)`)
  }
  if (job.preset !== undefined && !(MODEL_PRESETS as readonly unknown[]).includes(job.preset)) {
    throw new InvalidArgumentError(`preset ${JSON.stringify(job.preset)} is not known; known presets: ${MODEL_PRESETS.join(', ')}`)
  }
  const dataset = stringAt(job.dataset, 'dataset')
  if (!(DATASET_NAMES as readonly string[]).includes(dataset)) {
    throw new InvalidArgumentError(`dataset '${dataset}' is not known; known datasets: ${DATASET_NAMES.join(', ')}`)
  }
  const compile: Record<string, unknown> = { ...DEFAULT_COMPILE, ...(job.compile === undefined ? {} : objectAt(job.compile, 'compile')) }
  refuseUnknownKeys(compile, COMPILE_KEYS, 'compile.')
  const fit = parseFit(job.fit === undefined ? {} : objectAt(job.fit, 'fit'))
  const spec: TrainJobSpec = {
    model,
    ...(job.preset !== undefined ? { preset: job.preset as ModelPreset } : { spec: job.spec }),
    dataset: dataset as DatasetName,
    compile: compile as unknown as CompileOptions,
    fit,
    ...(job.alias !== undefined ? { alias: job.alias as string } : {}),
  }
  checkTrainable(buildJobModel(spec), spec)
  await checkDatasetAvailable(spec.dataset, locations)
  return spec
}

/** The untrained model a job describes. */
export function buildJobModel(spec: Pick<TrainJobSpec, 'preset' | 'spec'>): Model {
  if (spec.preset === 'seed-mlp') return seedMlp()
  if (spec.preset === 'seed-cnn') return seedCnn()
  return withPrefix('spec', () => modelFromSpec(spec.spec))
}

/** Compiles the training graph once, so unsupported layers, losses or shapes fail here. */
function checkTrainable(model: Model, spec: TrainJobSpec): void {
  const config = withPrefix('compile', () => parseCompileOptions(spec.compile))
  const io = withPrefix('model', () => describeModelIo(model, config.loss))
  if (io.sampleShape.join(',') !== DATASET_SAMPLE_SHAPE.join(',')) {
    throw new InvalidArgumentError(`model: its input shape [${io.sampleShape.join(', ')}] does not match the samples of dataset '${spec.dataset}' [${DATASET_SAMPLE_SHAPE.join(', ')}]`)
  }
  if (io.targets === 'sparse' && io.classes !== DATASET_CLASSES) {
    throw new InvalidArgumentError(`model: its output has ${io.classes} classes; dataset '${spec.dataset}' has ${DATASET_CLASSES}`)
  }
  if (io.targets !== 'sparse') {
    throw new InvalidArgumentError(`compile.loss: dataset '${spec.dataset}' has class labels; use sparse_categorical_crossentropy`)
  }
  withPrefix('model', () => compileModelTraining(model, config))
}

function parseFit(fit: Record<string, unknown>): JobFitOptions {
  refuseUnknownKeys(fit, FIT_KEYS, 'fit.')
  const epochs = integerAt(fit.epochs ?? 5, 'fit.epochs', 1, MAX_EPOCHS)
  const batchSize = integerAt(fit.batchSize ?? 32, 'fit.batchSize', 1, 65_536)
  const seed = integerAt(fit.seed ?? 1, 'fit.seed', 0, 2 ** 31 - 1)
  const stepsPerCall = fit.stepsPerCall === undefined ? undefined : integerAt(fit.stepsPerCall, 'fit.stepsPerCall', 1, 4096)
  if (fit.shuffle !== undefined && typeof fit.shuffle !== 'boolean') throw new InvalidArgumentError(`fit.shuffle must be a boolean, got ${JSON.stringify(fit.shuffle)}`)
  const split = fit.validationSplit
  if (split !== undefined && !(typeof split === 'number' && split > 0 && split < 1)) {
    throw new InvalidArgumentError(`fit.validationSplit must be a number above 0 and below 1, got ${JSON.stringify(split)}`)
  }
  return {
    epochs,
    batchSize,
    seed,
    ...(stepsPerCall !== undefined ? { stepsPerCall } : {}),
    shuffle: (fit.shuffle as boolean | undefined) ?? true,
    ...(split !== undefined ? { validationSplit: split } : {}),
  }
}

/** mnist-small ships with maas; mnist and fashion-mnist need their four IDX files on this server (jobs never download). */
async function checkDatasetAvailable(name: DatasetName, locations: DatasetLocations): Promise<void> {
  if (name === 'mnist-small') return
  const dirs = [path.join(locations.datasetsDir, name), ...((locations.systemDirs ?? SYSTEM_DIRS)[name] ?? [])]
  for (const dir of dirs) {
    const present = await Promise.all(Object.values(IDX_FILE_NAMES).map(async (file) => (await isFile(path.join(dir, file))) || isFile(path.join(dir, `${file}.gz`))))
    if (present.every(Boolean)) return
  }
  throw new InvalidArgumentError(
    `dataset '${name}' is not available on this server (looked in ${dirs.join(', ')}); put ${Object.values(IDX_FILE_NAMES).map((file) => `${file}.gz`).join(', ')} in ${dirs[0]}/`,
  )
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((info) => info.isFile(), () => false)
}

function withPrefix<T>(prefix: string, run: () => T): T {
  try {
    return run()
  } catch (error) {
    if (error instanceof MaasError && error.code === 'INVALID_ARGUMENT') {
      throw new InvalidArgumentError(error.message.startsWith(`${prefix}:`) ? error.message : `${prefix}: ${error.message}`, { cause: error })
    }
    if (error instanceof MaasError) throw new InvalidArgumentError(`${prefix}: ${error.message}`, { cause: error })
    throw error
  }
}

function objectAt(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(`${what} must be a JSON object, got ${JSON.stringify(value) ?? 'nothing'}`)
  return value as Record<string, unknown>
}

function stringAt(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`${what} is required and must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`)
  return value
}

function integerAt(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`)
  }
  return value
}

function refuseUnknownKeys(object: Record<string, unknown>, known: readonly string[], prefix: string): void {
  const unknown = Object.keys(object).filter((key) => !known.includes(key))
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `'${prefix}${key}'`).join(', ')}; known: ${known.map((key) => `${prefix}${key}`).join(', ')}`)
}
