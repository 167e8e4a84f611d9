/**
 * @module nn/layers/layer-registry
 * Keras class names (and their Keras/TF.js aliases) → the reader that builds the layer from
 * its config. The one place that lists every layer maas supports.
 */
import type { ConfigReader } from '../config-reader.ts'
import type { Layer } from '../layer.ts'
import { Conv2D, DepthwiseConv2D } from './conv.ts'
import { Activation, Dropout, Flatten, InputLayer, LeakyReLU, Reshape } from './core-layers.ts'
import { Dense } from './dense.ts'
import { Embedding } from './embedding.ts'
import { Concatenate, ElementwiseMerge } from './merge.ts'
import { BatchNormalization, LayerNormalization } from './normalization.ts'
import { AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D } from './pooling.ts'

type LayerReader = (reader: ConfigReader) => Layer

const READERS: Readonly<Record<string, LayerReader>> = {
  InputLayer: InputLayer.fromConfig,
  Dense: Dense.fromConfig,
  Conv2D: Conv2D.fromConfig,
  DepthwiseConv2D: DepthwiseConv2D.fromConfig,
  MaxPooling2D: MaxPooling2D.fromConfig,
  AveragePooling2D: AveragePooling2D.fromConfig,
  GlobalAveragePooling2D: GlobalAveragePooling2D.fromConfig,
  Flatten: Flatten.fromConfig,
  Reshape: Reshape.fromConfig,
  Dropout: Dropout.fromConfig,
  Activation: Activation.fromConfig,
  LeakyReLU: LeakyReLU.fromConfig,
  BatchNormalization: BatchNormalization.fromConfig,
  LayerNormalization: LayerNormalization.fromConfig,
  Embedding: Embedding.fromConfig,
  Add: ElementwiseMerge.reader('Add'),
  Subtract: ElementwiseMerge.reader('Subtract'),
  Multiply: ElementwiseMerge.reader('Multiply'),
  Average: ElementwiseMerge.reader('Average'),
  Maximum: ElementwiseMerge.reader('Maximum'),
  Minimum: ElementwiseMerge.reader('Minimum'),
  Concatenate: Concatenate.fromConfig,
}

const ALIASES: Readonly<Record<string, string>> = {
  Convolution2D: 'Conv2D',
  MaxPool2D: 'MaxPooling2D',
  AvgPool2D: 'AveragePooling2D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
}

/** Class names a spec may use. */
export const LAYER_CLASSES: readonly string[] = Object.keys(READERS)

/** The reader for a Keras class name, or undefined when maas does not support it. */
export function layerReaderOf(className: string): LayerReader | undefined {
  return READERS[ALIASES[className] ?? className]
}
