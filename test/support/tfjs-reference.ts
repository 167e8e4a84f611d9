/**
 * @module test/support/tfjs-reference
 * An independent reference for whole-model training checks. The same Keras model is built
 * twice, in maas (nn) and in @tensorflow/tfjs layers with the same layer names; maas'
 * weights are copied into TF.js in Keras layout; then the forward output, the loss (sparse
 * categorical cross-entropy, batch mean), the gradient of every trainable weight and the
 * batch-norm moving statistics are computed by both: TF.js with tf.variableGrads on
 * `apply(x, {training: true})`, maas with emitForward('train') + emitLoss + appendBackward
 * run as one onnxruntime-node session — the same pieces the trainer's step graph is made of.
 */
import ort from 'onnxruntime-node'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { appendBackward } from '../../src/autodiff/backward.ts'
import { emitForward, toKerasLayout, type Model, type WeightValue } from '../../src/nn/index.ts'
import { attr, GraphBuilder } from '../../src/onnx/onnx-builder.ts'
import { emitLoss } from '../../src/training/compile/losses.ts'

/** TF.js backends the checks run on: 'wasm' is fast but has no Conv2DBackpropFilter; 'cpu' (pure JS) has every kernel. */
export type TfjsBackend = 'cpu' | 'wasm'

export async function useTfjsBackend(backend: TfjsBackend): Promise<void> {
  if (tf.getBackend() === backend) return
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' did not initialise`)
  await tf.ready()
}

/** One batch: x row-major [batch, ...sampleShape], y class indices. */
export interface Batch {
  readonly x: Float32Array
  readonly y: Int32Array
  readonly sampleShape: readonly number[]
}

/** What both implementations report for one forward + backward pass, weights in Keras layout, keyed by maas weight name. */
export interface PassResult {
  readonly loss: number
  /** Model output (class probabilities), [batch, classes] row-major. */
  readonly output: Float32Array
  readonly gradients: ReadonlyMap<string, Float32Array>
  /** Moving statistics after the pass (BatchNormalization in training mode). */
  readonly state: ReadonlyMap<string, Float32Array>
}

/** The TF.js weight that stands for each maas weight, matched by '<layer>/<weight>' name; throws on any mismatch. */
function matchWeights(model: Model, reference: tf.LayersModel): Map<string, tf.LayerVariable> {
  const byName = new Map(reference.weights.map((weight) => [weight.originalName, weight]))
  const matched = new Map<string, tf.LayerVariable>()
  for (const weight of model.weights) {
    const twin = byName.get(weight.name)
    if (!twin) throw new Error(`TF.js model has no weight '${weight.name}' (it has ${[...byName.keys()].join(', ')})`)
    if (twin.shape.join(',') !== weight.spec.kerasShape.join(',')) throw new Error(`'${weight.name}': TF.js shape [${twin.shape}] vs Keras shape [${weight.spec.kerasShape}]`)
    if (twin.trainable !== weight.trainable) throw new Error(`'${weight.name}': trainable ${twin.trainable} in TF.js, ${weight.trainable} in maas`)
    matched.set(weight.name, twin)
  }
  if (matched.size !== reference.weights.length) throw new Error(`TF.js model has ${reference.weights.length} weights, maas ${matched.size}`)
  return matched
}

/** Copies every maas weight (Keras layout) into the TF.js model. */
export function copyWeightsToTfjs(model: Model, reference: tf.LayersModel): void {
  const keras = model.getKerasWeights()
  for (const [name, variable] of matchWeights(model, reference)) {
    const value = keras.get(name)!
    variable.write(tf.tensor(value.data, [...value.shape]))
  }
}

/** The TF.js model's weights in Keras layout, keyed by maas weight name. */
export function readTfjsWeights(model: Model, reference: tf.LayersModel): Map<string, WeightValue> {
  const values = new Map<string, WeightValue>()
  for (const [name, variable] of matchWeights(model, reference)) values.set(name, { shape: variable.shape as number[], data: variable.read().dataSync() as Float32Array })
  return values
}

/** Loss, output, gradients and moving statistics from TF.js (training=true, as Keras' fit). */
export function tfjsPass(model: Model, reference: tf.LayersModel, batch: Batch): PassResult {
  const weights = matchWeights(model, reference)
  const trainable = [...weights].filter(([, variable]) => variable.trainable)
  const count = batch.y.length
  let output: tf.Tensor | undefined
  const x = tf.tensor(batch.x, [count, ...batch.sampleShape])
  const classes = reference.outputs[0]!.shape.at(-1)!
  const oneHot = tf.oneHot(tf.tensor1d(batch.y, 'int32'), classes)
  const { value, grads } = tf.variableGrads(() => {
    const probabilities = reference.apply(x, { training: true }) as tf.Tensor
    output = tf.keep(probabilities)
    // Keras' sparse categorical cross-entropy on probabilities: clip to [ε, 1 − ε], log, batch mean.
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probabilities, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar
  }, trainable.map(([, variable]) => variable.read() as tf.Variable))
  const gradients = new Map<string, Float32Array>()
  for (const [name, variable] of trainable) gradients.set(name, grads[(variable.read() as tf.Variable).name]!.dataSync() as Float32Array)
  const state = new Map<string, Float32Array>()
  for (const [name, variable] of weights) if (!variable.trainable) state.set(name, variable.read().dataSync() as Float32Array)
  const result = { loss: value.dataSync()[0]!, output: output!.dataSync() as Float32Array, gradients, state }
  tf.dispose([x, oneHot, value, output!, ...Object.values(grads)])
  return result
}

/**
 * Loss, output, gradients and moving statistics from maas. `loss: 'logits'` is the trainer's
 * path (final softmax left out, cross-entropy from logits); 'probabilities' applies the
 * softmax and takes the clipped log, as Keras does for a probability output.
 */
export async function maasPass(model: Model, batch: Batch, { loss = 'logits' }: { loss?: 'logits' | 'probabilities' } = {}): Promise<PassResult> {
  const graph = new GraphBuilder('gradient_check')
  const forward = emitForward(model, graph, { mode: 'train', parameters: 'inputs', state: 'inputs', inputNames: ['x'], outputActivation: loss === 'logits' ? 'omit' : 'apply' })
  const classes = forward.outputShapes[0]!.at(-1)!
  graph.input('y', 'INT64', [-1])
  const raw = forward.outputs[0]!
  const fused = forward.omittedActivations[0] === 'softmax'
  const lossValue = emitLoss(graph, { name: 'sparse_categorical_crossentropy', fromLogits: fused }, { prediction: raw, target: 'y', classes })
  const output = fused ? graph.node('Softmax', [raw], { attributes: { axis: attr.int(-1) } })[0]! : raw
  const gradients = appendBackward(graph, lossValue, forward.parameterNames, { unconnected: 'error' })
  graph.node('Identity', [lossValue], { outputs: ['loss'] })
  graph.node('Identity', [output], { outputs: ['output'] })
  graph.output('loss', 'FP32', [])
  graph.output('output', 'FP32', [-1, classes])
  for (const binding of forward.parameters) graph.output(gradients.get(binding.value)!, 'FP32', binding.shape)
  for (const update of forward.stateUpdates) graph.output(update.update, 'FP32', graph.typeOf(update.update)!.shape)

  const session = await ort.InferenceSession.create(graph.toBytes(), { graphOptimizationLevel: 'all', intraOpNumThreads: 1 })
  try {
    const count = batch.y.length
    const feeds: Record<string, ort.Tensor> = {
      x: new ort.Tensor('float32', batch.x, [count, ...batch.sampleShape]),
      y: new ort.Tensor('int64', BigInt64Array.from(batch.y, BigInt), [count]),
    }
    for (const binding of [...forward.parameters, ...forward.state]) feeds[binding.value] = new ort.Tensor('float32', model.getWeight(binding.weight), [...binding.shape])
    const results = await session.run(feeds)
    const specOf = (name: string) => model.weights.find((weight) => weight.name === name)!.spec
    const result = {
      loss: (results.loss!.data as Float32Array)[0]!,
      output: results.output!.data as Float32Array,
      gradients: new Map(forward.parameters.map((binding) => [binding.weight, toKerasLayout(specOf(binding.weight), results[gradients.get(binding.value)!]!.data as Float32Array)])),
      state: new Map(forward.state.map((binding) => {
        const update = forward.stateUpdates.find((candidate) => candidate.value === binding.value)
        return [binding.weight, update ? (results[update.update]!.data as Float32Array) : model.getWeight(binding.weight)]
      })),
    }
    return result
  } finally {
    await session.release()
  }
}

/** ‖actual − expected‖ / ‖expected‖ (absolute when ‖expected‖ is 0). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} values vs ${expected.length}`)
  let difference = 0
  let norm = 0
  for (let index = 0; index < expected.length; index++) {
    difference += (actual[index]! - expected[index]!) ** 2
    norm += expected[index]! ** 2
  }
  return Math.sqrt(difference) / (norm > 0 ? Math.sqrt(norm) : 1)
}

/** The largest |actual − expected| over all values. */
export function maxAbsoluteError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} values vs ${expected.length}`)
  let worst = 0
  for (let index = 0; index < expected.length; index++) worst = Math.max(worst, Math.abs(actual[index]! - expected[index]!))
  return worst
}

/** Deterministic values in [-scale, scale) (an LCG), for inputs that must be the same in both implementations. */
export function sampleValues(count: number, seed: number, scale = 1): Float32Array {
  const values = new Float32Array(count)
  let state = seed >>> 0 || 1
  for (let index = 0; index < count; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    values[index] = (state / 2 ** 32 - 0.5) * 2 * scale
  }
  return values
}

/**
 * TF.js' Adam with Keras' placement of ε. TF.js divides the bias-corrected moments,
 * m̂ / (√v̂ + ε); Keras folds the corrections into the rate, lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε),
 * which is TF.js' form with ε_t = ε / √(1−β₂ᵗ). Early steps are ≈ lr·sign(g), so the two forms
 * differ by whole percents on weights with small gradients; this makes TF.js compute Keras'.
 */
export class KerasAdamOptimizer extends tf.AdamOptimizer {
  readonly #epsilon: number
  readonly #beta2: number
  #step = 0

  constructor(learningRate: number, { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = {}) {
    super(learningRate, beta1, beta2, epsilon)
    this.#epsilon = epsilon
    this.#beta2 = beta2
  }

  override applyGradients(gradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    this.#step++
    this.epsilon = this.#epsilon / Math.sqrt(1 - this.#beta2 ** this.#step)
    super.applyGradients(gradients)
  }
}
