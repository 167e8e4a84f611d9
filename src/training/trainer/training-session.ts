/**
 * @module training/trainer/training-session
 * Runs a compiled training graph in onnxruntime-node: keeps the parameters, optimizer slots
 * and layer state between calls as ORT tensors (each call's outputs are the next call's
 * inputs, with no copy through JavaScript arrays), and runs M steps per call. The training
 * set goes to ORT as it is (onnxruntime-node reads a typed array in place); a call passes only
 * the row numbers of its batches.
 */
import ort from 'onnxruntime-node'
import type { Dataset } from '../datasets/dataset.ts'
import { FEED, type TrainingGraph } from '../compile/training-graph.ts'

/**
 * ORT session settings for training. Gradients that are zero or tiny for long stretches let
 * Adam's slots decay into subnormal floats, which x86 computes on many times slower: flushed
 * to zero, an epoch of the seed MLP ran 1.7× faster (55k against 32k samples per CPU-second). ORT applies `set_denormal_as_zero` to the thread
 * that creates the FIRST session of the process, once (and to the thread pools of sessions
 * that ask for it): with one intra-op thread the steps run on the calling thread, so in a
 * process that trains, the first ORT session must be created with these settings, on the
 * training thread. maas' training processes and workers start with the training session;
 * programs that create other sessions first should pass these settings to them too.
 */
export const TRAINING_SESSION_EXTRA = { session: { intra_op: { allow_spinning: '0' }, set_denormal_as_zero: '1' } } as const

export interface StepBatch {
  /** The samples the rows number: the whole training set. */
  readonly dataset: Dataset
  /** Row numbers of each step's samples, [steps × batchSize] row-major. */
  readonly rows: Int32Array
  readonly steps: number
  readonly batchSize: number
  /** One learning rate per step. */
  readonly learningRates: Float32Array
}

export interface StepResults {
  readonly losses: Float32Array
  /** Per metric, one value per step. */
  readonly metrics: readonly Float32Array[]
}

export interface SessionOptions {
  readonly intraOpThreads?: number
}

export class TrainingSession {
  readonly #session: ort.InferenceSession
  readonly #graph: TrainingGraph
  readonly #sampleShape: readonly number[]
  readonly #targetShape: readonly number[]
  #carried: Map<string, ort.Tensor>
  #step: number
  #data: { readonly dataset: Dataset; readonly x: ort.Tensor; readonly y: ort.Tensor } | undefined

  private constructor(session: ort.InferenceSession, graph: TrainingGraph, carried: Map<string, ort.Tensor>, sampleShape: readonly number[], targetShape: readonly number[], step: number) {
    this.#session = session
    this.#graph = graph
    this.#carried = carried
    this.#sampleShape = sampleShape
    this.#targetShape = targetShape
    this.#step = step
  }

  /**
   * Opens a session. `values` gives every parameter and state value by name; optimizer slots
   * default to zeros (pass them to resume from a checkpoint). `step` is the number of steps
   * already taken.
   */
  static async open(
    graph: TrainingGraph,
    values: ReadonlyMap<string, Float32Array>,
    { sampleShape, targetShape = [], step = 0, intraOpThreads = 1 }: { sampleShape: readonly number[]; targetShape?: readonly number[]; step?: number; intraOpThreads?: number },
  ): Promise<TrainingSession> {
    const session = await ort.InferenceSession.create(graph.bytes, {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: 1,
      extra: TRAINING_SESSION_EXTRA,
    })
    try {
      const carried = new Map<string, ort.Tensor>()
      for (const value of [...graph.parameters, ...graph.slots, ...graph.state]) {
        const size = value.shape.reduce((product, dim) => product * dim, 1)
        // Slots start at zero only for a fresh run: resuming without them would not be the same optimizer.
        const data = values.get(value.name) ?? (graph.slots.includes(value) && step === 0 ? new Float32Array(size) : undefined)
        if (!data) throw new Error(step === 0 ? `no initial value for '${value.name}'` : `the checkpoint (step ${step}) has no value for '${value.name}'`)
        if (data.length !== size) throw new Error(`'${value.name}' has ${data.length} values; its shape [${value.shape.join(', ')}] needs ${size}`)
        carried.set(value.name, new ort.Tensor('float32', data, value.shape as number[]))
      }
      return new TrainingSession(session, graph, carried, sampleShape, targetShape, step)
    } catch (error) {
      await session.release()
      throw error
    }
  }

  /** Steps taken so far. */
  get step(): number {
    return this.#step
  }

  async run(batch: StepBatch): Promise<StepResults> {
    const { steps, batchSize } = batch
    const data = this.#tensorsOf(batch.dataset)
    const feeds: Record<string, ort.Tensor> = {
      x: data.x,
      y: data.y,
      batches: new ort.Tensor('int32', batch.rows, [steps, batchSize]),
      learning_rates: new ort.Tensor('float32', batch.learningRates, [steps]),
      step: new ort.Tensor('float32', Float32Array.of(this.#step + 1), []),
    }
    for (const [name, tensor] of this.#carried) feeds[`${FEED}${name}`] = tensor
    const results = await this.#session.run(feeds)
    const outputs = this.#graph.outputs
    const carriedNames = [...this.#graph.parameters, ...this.#graph.slots, ...this.#graph.state].map((value) => value.name)
    const carriedOutputs = [...outputs.parameters, ...outputs.slots, ...outputs.state]
    const next = new Map<string, ort.Tensor>()
    carriedNames.forEach((name, index) => next.set(name, results[carriedOutputs[index]!]!))
    this.#carried = next
    this.#step += steps
    return { losses: results[outputs.losses]!.data as Float32Array, metrics: outputs.metrics.map((name) => results[name]!.data as Float32Array) }
  }

  /** The dataset as the graph's x and y, made once per dataset (no copy unless y has another type than the graph's). */
  #tensorsOf(dataset: Dataset): { x: ort.Tensor; y: ort.Tensor } {
    if (this.#data?.dataset === dataset) return this.#data
    const x = new ort.Tensor('float32', dataset.x, [dataset.count, ...this.#sampleShape])
    const y =
      this.#graph.targets === 'sparse'
      ? new ort.Tensor('int32', dataset.y instanceof Int32Array ? dataset.y : Int32Array.from(dataset.y), [dataset.count])
      : new ort.Tensor('float32', dataset.y instanceof Float32Array ? dataset.y : Float32Array.from(dataset.y), [dataset.count, ...this.#targetShape])
    this.#data = { dataset, x, y }
    return this.#data
  }

  /** Current values of the parameters and state (and slots, for checkpoints), by name. */
  values(): Map<string, Float32Array> {
    return new Map([...this.#carried].map(([name, tensor]) => [name, tensor.data as Float32Array]))
  }

  async close(): Promise<void> {
    await this.#session.release()
  }
}
