/**
 * @module training/keras-model
 * The Keras-shaped face of maas: `sequential([...])` or `functionalModel({inputs, outputs})`
 * give a KerasModel with compile / fit / evaluate / predict / summary / toOnnx. fit trains in a
 * worker thread (the caller's event loop stays free); toOnnx exports the inference model and
 * checks that ORT running it reproduces the training-time forward pass.
 */
import ort from 'onnxruntime-node'
import { InvalidArgumentError, MaasError } from '../core/errors.ts'
import { exportInferenceModel, type ExportOptions } from '../nn/inference-export.ts'
import { model as functional, sequential as sequentialModel, type Model, type ModelOptions } from '../nn/model.ts'
import type { Layer, SymbolicTensor } from '../nn/layer.ts'
import { createDataset, sampleSizeOf, type Dataset } from './datasets/dataset.ts'
import { parseCompileOptions, type CompileOptions } from './trainer/compiled-model.ts'
import { fitInWorker } from './trainer/fit-job.ts'
import { Trainer, type EvaluateResult, type FitOptions, type History } from './trainer/trainer.ts'
import { TRAINING_SESSION_EXTRA } from './trainer/training-session.ts'

/** Samples as one row-major array, or a Dataset (then `y` is taken from it). */
export type Samples = Float32Array | Dataset

/** Largest difference tolerated between the exported model and the training-time forward pass. */
export const EXPORT_PARITY_TOLERANCE = 1e-5

export class KerasModel {
  #compile: CompileOptions | undefined

  constructor(readonly model: Model) {}

  compile(options: CompileOptions): this {
    parseCompileOptions(options)
    this.#compile = options
    return this
  }

  summary(): string {
    return this.model.summary()
  }

  /** Keras' fit: `fit(x, y, {epochs, batchSize, validationSplit | validationData, shuffle, callbacks, seed})`. */
  async fit(x: Samples, y?: Int32Array | Float32Array, options: Omit<FitOptions, 'validationData'> & { validationData?: Dataset | readonly [Float32Array, Int32Array | Float32Array]; inWorker?: boolean } = {}): Promise<History> {
    const compile = this.#compiled()
    const train = this.#dataset(x, y, 'x')
    const { validationData, inWorker = true, ...rest } = options
    const fitOptions: FitOptions = { ...rest, ...(validationData ? { validationData: Array.isArray(validationData) ? this.#dataset(validationData[0], validationData[1], 'validationData') : (validationData as Dataset) } : {}) }
    if (!inWorker) return new Trainer(this.model, parseCompileOptions(compile)).fit(train, fitOptions)
    return fitInWorker(this.model, compile, train, fitOptions)
  }

  async evaluate(x: Samples, y?: Int32Array | Float32Array, options: { batchSize?: number } = {}): Promise<EvaluateResult> {
    return new Trainer(this.model, parseCompileOptions(this.#compiled())).evaluate(this.#dataset(x, y, 'x'), options)
  }

  /** Outputs for `x`, row-major [count, ...outputShape]. */
  async predict(x: Float32Array | Dataset, options: { batchSize?: number } = {}): Promise<Float32Array> {
    const samples = x instanceof Float32Array ? x : x.x
    const compile = this.#compile ?? { optimizer: 'sgd', loss: this.model.outputs[0]!.shape.length === 1 ? 'sparse_categorical_crossentropy' : 'mse' }
    return new Trainer(this.model, parseCompileOptions(compile)).predict(samples, options)
  }

  /**
   * The inference model as ONNX bytes (dropout removed, batch norm on its moving statistics,
   * labels and spec in metadata_props). `check` samples are run through the exported model by
   * ORT and compared with the training-time forward pass; a difference above 1e-5 is an error.
   */
  async toOnnx(options: ExportOptions & { check?: Float32Array } = {}): Promise<Uint8Array> {
    const { check, ...exportOptions } = options
    const bytes = exportInferenceModel(this.model, exportOptions)
    const sampleShape = this.model.inputs[0]!.shape.map((dim) => dim ?? 1)
    const samples = check ?? new Float32Array(2 * sampleSizeOf(sampleShape)).map((_, index) => Math.sin(index))
    const expected = await this.predict(samples)
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, extra: TRAINING_SESSION_EXTRA })
    try {
      const count = samples.length / sampleSizeOf(sampleShape)
      const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', samples, [count, ...sampleShape]) })
      const actual = result[session.outputNames[0]!]!.data as Float32Array
      let worst = 0
      for (let index = 0; index < expected.length; index++) worst = Math.max(worst, Math.abs(actual[index]! - expected[index]!))
      if (actual.length !== expected.length || !(worst <= EXPORT_PARITY_TOLERANCE)) {
        throw new MaasError('INTERNAL', `the exported model differs from the training-time forward pass by ${worst} (tolerance ${EXPORT_PARITY_TOLERANCE})`)
      }
    } finally {
      await session.release()
    }
    return bytes
  }

  #compiled(): CompileOptions {
    if (!this.#compile) throw new InvalidArgumentError('call compile({optimizer, loss, metrics}) before fit or evaluate')
    return this.#compile
  }

  #dataset(x: Samples, y: Int32Array | Float32Array | undefined, what: string): Dataset {
    if (!(x instanceof Float32Array)) return x
    if (!y) throw new InvalidArgumentError(`${what}: labels (y) are required with a Float32Array of samples`)
    const sampleShape = this.model.inputs[0]!.shape.map((dim) => dim ?? -1)
    const size = sampleSizeOf(sampleShape)
    if (x.length % size !== 0) throw new InvalidArgumentError(`${what}: ${x.length} values are not a whole number of samples of shape [${sampleShape.join(', ')}]`)
    return createDataset({ x, y, sampleShape, count: x.length / size })
  }
}

/** A Keras Sequential model. */
export function sequential(layers: readonly Layer[], options: ModelOptions = {}): KerasModel {
  return new KerasModel(sequentialModel(layers, options))
}

/** A Keras functional model from symbolic inputs and outputs. */
export function functionalModel(options: ModelOptions & { inputs: SymbolicTensor | readonly SymbolicTensor[]; outputs: SymbolicTensor | readonly SymbolicTensor[] }): KerasModel {
  return new KerasModel(functional(options))
}
