/**
 * @module nn/presets
 * The seed recipes of the platform, as Models and as the JSON specs a client would post:
 * the MNIST MLP (Flatten → Dense 128 relu → Dropout 0.2 → Dense 10 softmax; 101,770
 * parameters) and the small CNN (Reshape → Conv2D 32 → Conv2D 64 → MaxPooling2D →
 * Flatten → Dense 128 → Dense 10; 1,199,882 parameters).
 */
import { conv2d, dense, dropout, flatten, maxPooling2d, reshape } from './layer-factories.ts'
import { sequential, type Model, type ModelOptions } from './model.ts'
import type { SequentialSpec } from './model-spec-writer.ts'

/** The seed MLP for [28, 28] inputs. */
export function seedMlp(options: ModelOptions = {}): Model {
  return sequential(
    [flatten({ inputShape: [28, 28] }), dense({ units: 128, activation: 'relu' }), dropout({ rate: 0.2 }), dense({ units: 10, activation: 'softmax' })],
    { name: 'seed_mlp', ...options },
  )
}

/** The seed CNN for [28, 28] inputs (reshaped to NHWC [28, 28, 1], as in Keras). */
export function seedCnn(options: ModelOptions = {}): Model {
  return sequential(
    [
      reshape({ targetShape: [28, 28, 1], inputShape: [28, 28] }),
      conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
      conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      maxPooling2d({ poolSize: 2 }),
      flatten(),
      dense({ units: 128, activation: 'relu' }),
      dense({ units: 10, activation: 'softmax' }),
    ],
    { name: 'seed_cnn', ...options },
  )
}

/** The seed MLP as a Keras-style spec (defaults left out, as a client would write it). */
export const SEED_MLP_SPEC: SequentialSpec = {
  class_name: 'Sequential',
  config: {
    name: 'seed_mlp',
    layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 28, 28], dtype: 'float32', name: 'input' } },
      { class_name: 'Flatten', config: { name: 'flatten' } },
      { class_name: 'Dense', config: { name: 'dense', units: 128, activation: 'relu' } },
      { class_name: 'Dropout', config: { name: 'dropout', rate: 0.2 } },
      { class_name: 'Dense', config: { name: 'dense_1', units: 10, activation: 'softmax' } },
    ],
  },
}

/** The seed CNN as a Keras-style spec. */
export const SEED_CNN_SPEC: SequentialSpec = {
  class_name: 'Sequential',
  config: {
    name: 'seed_cnn',
    layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 28, 28], dtype: 'float32', name: 'input' } },
      { class_name: 'Reshape', config: { name: 'reshape', target_shape: [28, 28, 1] } },
      { class_name: 'Conv2D', config: { name: 'conv2d', filters: 32, kernel_size: [3, 3], activation: 'relu' } },
      { class_name: 'Conv2D', config: { name: 'conv2d_1', filters: 64, kernel_size: [3, 3], activation: 'relu' } },
      { class_name: 'MaxPooling2D', config: { name: 'max_pooling2d', pool_size: [2, 2] } },
      { class_name: 'Flatten', config: { name: 'flatten' } },
      { class_name: 'Dense', config: { name: 'dense', units: 128, activation: 'relu' } },
      { class_name: 'Dense', config: { name: 'dense_1', units: 10, activation: 'softmax' } },
    ],
  },
}
