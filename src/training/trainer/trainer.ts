/**
 * @module training/trainer/trainer
 * Keras' fit / evaluate / predict over onnxruntime-node: epochs of M-step calls of the
 * compiled training graph, per-epoch validation on the evaluation graph, callbacks, and
 * checkpoints (weights, optimizer slots, step) to resume from. Runs on the calling thread:
 * `session.run` blocks it, so programs that must stay responsive use the worker
 * (training-worker.ts).
 */
import ort from 'onnxruntime-node'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { Model } from '../../nn/model.ts'
import { sampleSizeOf, type Dataset } from '../datasets/dataset.ts'
import { defaultLearningRate, upgradeSlotValues } from '../compile/optimizers.ts'
import { isSampleFraction } from '../compile/metrics.ts'
import { learningRateAt } from '../compile/learning-rate-schedules.ts'
import { compileEvaluation, compileModelTraining, describeModelIo, type EvaluationGraph, type ModelIo, type TrainingConfig } from './compiled-model.ts'
import { defaultStepsPerCall, epochChunks, evaluationBatches, stepsPerEpoch } from './step-chunks.ts'
import { TRAINING_SESSION_EXTRA, TrainingSession } from './training-session.ts'

export interface EpochLogs {
  readonly epoch: number
  readonly loss: number
  /** Metric batch means weighted by batch size, by metric name (accuracy, mse, …). */
  readonly metrics: Readonly<Record<string, number>>
  readonly validation?: { readonly loss: number; readonly metrics: Readonly<Record<string, number>> }
  readonly samplesPerSecond: number
  readonly seconds: number
  /** CPU time of this process over the epoch (all threads): a rate that a busy machine disturbs less. Absent in histories older than this field. */
  readonly cpuSeconds?: number
}

export interface ProgressLogs {
  readonly epoch: number
  readonly batchesDone: number
  readonly batchesTotal: number
  readonly loss: number
  readonly samplesPerSecond: number
}

export interface FitCallbacks {
  onEpochEnd?(logs: EpochLogs): void | Promise<void>
  /** After each call of the training graph (every stepsPerCall batches). */
  onProgress?(logs: ProgressLogs): void | Promise<void>
  /** After each epoch, with everything needed to resume. */
  onCheckpoint?(checkpoint: Checkpoint): void | Promise<void>
}

export interface FitOptions {
  readonly epochs?: number
  readonly batchSize?: number
  readonly validationSplit?: number
  readonly validationData?: Dataset
  readonly shuffle?: boolean
  readonly seed?: number
  /** Batches per ORT call (Loop trip count). */
  readonly stepsPerCall?: number
  readonly callbacks?: FitCallbacks
  /** Resume: continue from this checkpoint (its epoch and step, weights and optimizer slots). */
  readonly checkpoint?: Checkpoint
  readonly intraOpThreads?: number
}

/** Everything needed to continue training where it stopped. */
export interface Checkpoint {
  /** Epochs completed. */
  readonly epoch: number
  readonly step: number
  /** Training-graph values (parameters, slots, state) by name. */
  readonly values: ReadonlyMap<string, Float32Array>
}

export interface History {
  readonly epochs: readonly EpochLogs[]
}

export interface EvaluateResult {
  readonly loss: number
  readonly metrics: Readonly<Record<string, number>>
}

/** Default batches per ORT call: enough to amortise passing weights in and out. */

export class Trainer {
  readonly #model: Model
  readonly #config: TrainingConfig
  readonly #io: ModelIo
  #evaluation: EvaluationGraph | undefined

  constructor(model: Model, config: TrainingConfig) {
    this.#model = model
    this.#config = config
    this.#io = describeModelIo(model, config.loss)
  }

  async fit(train: Dataset, options: FitOptions = {}): Promise<History> {
    const { epochs = 1, batchSize = 32, shuffle = true, seed = 1 } = options
    const stepsPerCall = options.stepsPerCall ?? defaultStepsPerCall(batchSize, this.#io.sampleShape)
    checkDataset(train, this.#io, 'training data')
    if (!Number.isInteger(epochs) || epochs < 1) throw new InvalidArgumentError('epochs must be a positive integer')
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError('batchSize must be a positive integer')
    let validation = options.validationData
    if (options.validationSplit !== undefined) {
      if (!(options.validationSplit > 0 && options.validationSplit < 1)) throw new InvalidArgumentError('validationSplit must be between 0 and 1')
      // Keras takes the last fraction of the data, before shuffling.
      const split = Math.floor(train.count * (1 - options.validationSplit))
      ;({ train, validation } = { train: sliceDataset(train, 0, split), validation: sliceDataset(train, split, train.count) })
    }
    if (validation) checkDataset(validation, this.#io, 'validation data')

    const { graph, weights } = compileModelTraining(this.#model, this.#config)
    const initial = new Map<string, Float32Array>()
    for (const [value, weight] of weights) initial.set(value, this.#model.getWeight(weight))
    const resume = options.checkpoint
    const session = await TrainingSession.open(graph, resume ? upgradeSlotValues(this.#config.optimizer, resume.values) : initial, {
      sampleShape: this.#io.sampleShape,
      targetShape: this.#io.outputShape,
      step: resume?.step ?? 0,
      intraOpThreads: options.intraOpThreads ?? 1,
    })
    const history: EpochLogs[] = []
    const baseRate = defaultLearningRate(this.#config.optimizer)
    try {
      for (let epoch = resume?.epoch ?? 0; epoch < epochs; epoch++) {
        const started = performance.now()
        const cpuStarted = process.cpuUsage()
        const total = stepsPerEpoch(train.count, batchSize)
        let done = 0
        let lossSum = 0
        const metricSums = this.#config.metricNames.map(() => 0)
        const addMetric = this.#metricAccumulator()
        for (const chunk of epochChunks(train.count, { batchSize, stepsPerCall, ...(shuffle ? { shuffleSeed: seed + epoch } : {}) })) {
          const rates = Float32Array.from({ length: chunk.steps }, (_, index) => learningRateAt(this.#config.schedule, baseRate, session.step + index))
          const result = await session.run({ ...chunk, dataset: train, learningRates: rates })
          for (let step = 0; step < chunk.steps; step++) {
            lossSum += result.losses[step]! * chunk.batchSize
            result.metrics.forEach((values, index) => (metricSums[index]! += addMetric(index, values[step]!, chunk.batchSize)))
          }
          done += chunk.steps
          const seen = Math.min(done * batchSize, train.count)
          await options.callbacks?.onProgress?.({ epoch: epoch + 1, batchesDone: done, batchesTotal: total, loss: lossSum / seen, samplesPerSecond: seen / ((performance.now() - started) / 1000) })
        }
        const seconds = (performance.now() - started) / 1000
        const cpu = process.cpuUsage(cpuStarted)
        this.#storeWeights(session.values(), weights)
        const logs: EpochLogs = {
          epoch: epoch + 1,
          loss: lossSum / train.count,
          metrics: Object.fromEntries(this.#config.metricNames.map((name, index) => [name, metricSums[index]! / train.count])),
          ...(validation ? { validation: await this.evaluate(validation) } : {}),
          samplesPerSecond: train.count / seconds,
          seconds,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
        }
        history.push(logs)
        await options.callbacks?.onEpochEnd?.(logs)
        await options.callbacks?.onCheckpoint?.({ epoch: epoch + 1, step: session.step, values: session.values() })
      }
    } finally {
      await session.close()
    }
    return { epochs: history }
  }

  /** Loss and metrics over a dataset with the model's current weights (inference mode). */
  async evaluate(dataset: Dataset, { batchSize = 1024 }: { batchSize?: number } = {}): Promise<EvaluateResult> {
    checkDataset(dataset, this.#io, 'evaluation data')
    const evaluation = (this.#evaluation ??= compileEvaluation(this.#model, this.#config))
    const session = await ort.InferenceSession.create(evaluation.bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all', extra: TRAINING_SESSION_EXTRA })
    try {
      const weights = this.#weightFeeds(evaluation)
      let lossSum = 0
      const metricSums = evaluation.outputs.metrics.map(() => 0)
      const addMetric = this.#metricAccumulator()
      for (const batch of evaluationBatches(dataset, batchSize, this.#io.targets)) {
        const rows = batch.rows
        const result = await session.run({
          ...weights,
          x: new ort.Tensor('float32', batch.x, [rows, ...this.#io.sampleShape]),
          y: batch.y instanceof BigInt64Array ? new ort.Tensor('int64', batch.y, [rows]) : new ort.Tensor('float32', batch.y, [rows, ...this.#io.outputShape]),
        })
        lossSum += (result.loss!.data as Float32Array)[0]! * rows
        evaluation.outputs.metrics.forEach((name, index) => (metricSums[index]! += addMetric(index, (result[name]!.data as Float32Array)[0]!, rows)))
      }
      return {
        loss: lossSum / dataset.count,
        metrics: Object.fromEntries(this.#config.metricNames.map((name, index) => [name, metricSums[index]! / dataset.count])),
      }
    } finally {
      await session.release()
    }
  }

  /** A batch's share of a metric sum: mean × rows, rounded to a whole count for sample fractions (accuracy). */
  #metricAccumulator(): (index: number, mean: number, rows: number) => number {
    const fractions = this.#config.metrics.map((metric) => isSampleFraction(metric, this.#config.loss, this.#io.outputShape))
    return (index, mean, rows) => (fractions[index] ? Math.round(mean * rows) : mean * rows)
  }

  /** Model outputs for `x` ([count, ...sample] row-major), in inference mode. */
  async predict(x: Float32Array, { batchSize = 1024 }: { batchSize?: number } = {}): Promise<Float32Array> {
    const sampleSize = sampleSizeOf(this.#io.sampleShape)
    if (x.length % sampleSize !== 0) throw new InvalidArgumentError(`predict: ${x.length} values are not a whole number of samples of shape [${this.#io.sampleShape.join(', ')}]`)
    const count = x.length / sampleSize
    const evaluation = (this.#evaluation ??= compileEvaluation(this.#model, this.#config))
    const session = await ort.InferenceSession.create(evaluation.bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all', extra: TRAINING_SESSION_EXTRA })
    const outputSize = sampleSizeOf(this.#io.outputShape)
    const out = new Float32Array(count * outputSize)
    try {
      const weights = this.#weightFeeds(evaluation)
      for (let start = 0; start < count; start += batchSize) {
        const rows = Math.min(batchSize, count - start)
        const y = this.#io.targets === 'sparse' ? new ort.Tensor('int64', new BigInt64Array(rows), [rows]) : new ort.Tensor('float32', new Float32Array(rows * outputSize), [rows, ...this.#io.outputShape])
        const result = await session.run({ ...weights, x: new ort.Tensor('float32', x.subarray(start * sampleSize, (start + rows) * sampleSize), [rows, ...this.#io.sampleShape]), y }, ['prediction'])
        out.set(result.prediction!.data as Float32Array, start * outputSize)
      }
    } finally {
      await session.release()
    }
    return out
  }

  #weightFeeds(evaluation: EvaluationGraph): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {}
    for (const [value, weight] of evaluation.weights) {
      const data = this.#model.getWeight(weight)
      const info = this.#model.weights.find((candidate) => candidate.name === weight)!
      feeds[value] = new ort.Tensor('float32', data, info.spec.shape as number[])
    }
    return feeds
  }

  #storeWeights(values: ReadonlyMap<string, Float32Array>, weights: ReadonlyMap<string, string>): void {
    for (const [value, weight] of weights) {
      const data = values.get(value)
      if (data) this.#model.setWeight(weight, Float32Array.from(data))
    }
  }
}

function checkDataset(dataset: Dataset, io: ModelIo, what: string): void {
  if (dataset.sampleShape.join(',') !== io.sampleShape.join(',')) {
    throw new InvalidArgumentError(`${what} has samples of shape [${dataset.sampleShape.join(', ')}]; the model's input is [${io.sampleShape.join(', ')}]`)
  }
  if (dataset.count === 0) throw new InvalidArgumentError(`${what} is empty`)
  if (io.targets === 'sparse') {
    for (let index = 0; index < dataset.count; index++) {
      const label = dataset.y[index]!
      if (!Number.isInteger(label) || label < 0 || label >= io.classes) {
        throw new InvalidArgumentError(`${what}: label ${label} of sample ${index} is outside the model's ${io.classes} classes`)
      }
    }
  }
}

function sliceDataset(dataset: Dataset, start: number, end: number): Dataset {
  const size = sampleSizeOf(dataset.sampleShape)
  const targetSize = dataset.y.length / dataset.count
  return { ...dataset, x: dataset.x.subarray(start * size, end * size), y: dataset.y.subarray(start * targetSize, end * targetSize), count: end - start }
}
