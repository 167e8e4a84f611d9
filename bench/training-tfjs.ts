/**
 * @module bench/training-tfjs
 * The in-run TF.js baseline of the `training` suite: the seed recipes built with
 * @tensorflow/tfjs layers, given the maas model's initial weights (Keras layout, same layer
 * order), compiled with Adam (lr 1e-3) and sparse categorical cross-entropy, trained with
 * `model.fit` and scored with `model.evaluate`. The wasm backend runs single-threaded here
 * (no worker threads in Node) but has no Conv2DBackpropFilter kernel, so it cannot train the
 * CNN; the pure-JS 'cpu' backend can, slowly.
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import type { Model } from '../src/nn/index.ts'
import type { Dataset } from '../src/training/datasets/dataset.ts'

export type RecipeName = 'mlp' | 'cnn'
export type TfjsBackendName = 'wasm' | 'cpu'

/** Why TF.js cannot be measured for a recipe on a backend, or undefined when it can. */
export function tfjsUnsupported(recipe: RecipeName, backend: TfjsBackendName): string | undefined {
  return recipe === 'cnn' && backend === 'wasm' ? '@tensorflow/tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel: it cannot train Conv2D' : undefined
}

function buildTwin(recipe: RecipeName): tf.Sequential {
  if (recipe === 'mlp') {
    return tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28] }),
        tf.layers.dense({ units: 128, activation: 'relu' }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    })
  }
  return tf.sequential({
    layers: [
      tf.layers.reshape({ targetShape: [28, 28, 1], inputShape: [28, 28] }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  })
}

export interface TfjsRunResult {
  readonly samplesPerSecond: number
  readonly cpuSamplesPerSecond: number
  readonly seconds: number
  readonly testAccuracy: number
}

/** Trains the TF.js twin of `model` (its weights copied) and evaluates it on `test`. */
export async function trainTfjs(
  recipe: RecipeName,
  model: Model,
  backend: TfjsBackendName,
  train: Dataset,
  test: Dataset,
  { epochs, batchSize }: { epochs: number; batchSize: number },
): Promise<TfjsRunResult> {
  const unsupported = tfjsUnsupported(recipe, backend)
  if (unsupported) throw new Error(unsupported)
  if (tf.getBackend() !== backend) {
    if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' did not initialise`)
    await tf.ready()
  }
  const twin = buildTwin(recipe)
  const keras = model.getKerasWeights()
  twin.setWeights(model.weights.map((weight) => tf.tensor(keras.get(weight.name)!.data, [...weight.spec.kerasShape])))
  twin.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] })
  const [x, y, testX, testY] = tf.tidy(() => [
    tf.tensor(train.x, [train.count, ...train.sampleShape]),
    tf.tensor2d(Float32Array.from(train.y), [train.count, 1]),
    tf.tensor(test.x, [test.count, ...test.sampleShape]),
    tf.tensor2d(Float32Array.from(test.y), [test.count, 1]),
  ])
  try {
    const started = performance.now()
    const cpuStarted = process.cpuUsage()
    await twin.fit(x!, y!, { epochs, batchSize, shuffle: true, verbose: 0 })
    const seconds = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuStarted)
    const scores = twin.evaluate(testX!, testY!, { batchSize: 1024 }) as tf.Scalar[]
    const testAccuracy = (await scores[1]!.data())[0]!
    tf.dispose(scores)
    return { samplesPerSecond: (train.count * epochs) / seconds, cpuSamplesPerSecond: (train.count * epochs * 1e6) / (cpu.user + cpu.system), seconds, testAccuracy }
  } finally {
    tf.dispose([x!, y!, testX!, testY!])
    twin.dispose()
  }
}
