/**
 * @module nn/layer-factories
 * TF.js-style layer constructors with camelCase options: `dense({units: 128, activation:
 * 'relu'})`, `conv2d({filters: 32, kernelSize: 3})`. Options are snake-cased into a Keras
 * config and read by the same validating reader as a JSON spec, so both paths accept and
 * reject exactly the same things.
 */
import { ConfigReader, isConfigObject, toSnakeCase } from './config-reader.ts'
import { serializeInitializer, type Initializer } from './initializers.ts'
import { Conv2D, DepthwiseConv2D } from './layers/conv.ts'
import { Activation, Dropout, Flatten, InputLayer, LeakyReLU, Reshape } from './layers/core-layers.ts'
import { Dense } from './layers/dense.ts'
import { Embedding } from './layers/embedding.ts'
import { BatchNormalization, LayerNormalization } from './layers/normalization.ts'
import { AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D } from './layers/pooling.ts'
import type { DType } from './shape.ts'

/** An initializer: identifier ('he_normal', 'glorotUniform'), a parsed Initializer, or Keras' {class_name, config}. */
export type InitializerLike = string | Initializer | { readonly class_name: string; readonly config?: Readonly<Record<string, unknown>> }

/** Options every layer takes. */
export interface LayerOptions {
  readonly name?: string
  readonly trainable?: boolean
  /** Per-example input shape, for the first layer of a Sequential model. */
  readonly inputShape?: readonly (number | null)[]
  readonly dtype?: DType
}

type Tuple = number | readonly [number, number]
type Padding = 'valid' | 'same'

export interface DenseOptions extends LayerOptions {
  readonly units: number
  readonly activation?: string
  readonly useBias?: boolean
  readonly kernelInitializer?: InitializerLike
  readonly biasInitializer?: InitializerLike
}

interface WindowOptions extends LayerOptions {
  readonly kernelSize: Tuple
  readonly strides?: Tuple
  readonly padding?: Padding
  readonly dilationRate?: Tuple
  readonly activation?: string
  readonly useBias?: boolean
  readonly biasInitializer?: InitializerLike
}

export interface Conv2DOptions extends WindowOptions {
  readonly filters: number
  readonly kernelInitializer?: InitializerLike
}

export interface DepthwiseConv2DOptions extends WindowOptions {
  readonly depthMultiplier?: number
  readonly depthwiseInitializer?: InitializerLike
}

export interface PoolingOptions extends LayerOptions {
  readonly poolSize?: Tuple
  readonly strides?: Tuple
  readonly padding?: Padding
}

interface NormalizationOptions extends LayerOptions {
  readonly epsilon?: number
  readonly center?: boolean
  readonly scale?: boolean
  readonly betaInitializer?: InitializerLike
  readonly gammaInitializer?: InitializerLike
}

export interface BatchNormalizationOptions extends NormalizationOptions {
  readonly axis?: number
  readonly momentum?: number
  readonly movingMeanInitializer?: InitializerLike
  readonly movingVarianceInitializer?: InitializerLike
}

export interface LayerNormalizationOptions extends NormalizationOptions {
  readonly axis?: number | readonly number[]
}

export interface EmbeddingOptions extends LayerOptions {
  readonly inputDim: number
  readonly outputDim: number
  readonly embeddingsInitializer?: InitializerLike
  readonly inputLength?: number
}

function configOf(options: object): Record<string, unknown> {
  const config: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue
    const isParsedInitializer = isConfigObject(value) && typeof value.className === 'string' && isConfigObject(value.config)
    config[toSnakeCase(key)] = isParsedInitializer ? serializeInitializer(value as unknown as Initializer) : value
  }
  return config
}

function create<T>(className: string, fromConfig: (reader: ConfigReader) => T, options: object): T {
  return fromConfig(new ConfigReader(className, configOf(options)))
}

export const dense = (options: DenseOptions): Dense => create('Dense', Dense.fromConfig, options)
export const conv2d = (options: Conv2DOptions): Conv2D => create('Conv2D', Conv2D.fromConfig, options)
export const depthwiseConv2d = (options: DepthwiseConv2DOptions): DepthwiseConv2D => create('DepthwiseConv2D', DepthwiseConv2D.fromConfig, options)
export const maxPooling2d = (options: PoolingOptions = {}): MaxPooling2D => create('MaxPooling2D', MaxPooling2D.fromConfig, options)
export const averagePooling2d = (options: PoolingOptions = {}): AveragePooling2D => create('AveragePooling2D', AveragePooling2D.fromConfig, options)
export const globalAveragePooling2d = (options: LayerOptions & { readonly keepdims?: boolean } = {}): GlobalAveragePooling2D =>
  create('GlobalAveragePooling2D', GlobalAveragePooling2D.fromConfig, options)
export const flatten = (options: LayerOptions = {}): Flatten => create('Flatten', Flatten.fromConfig, options)
export const reshape = (options: LayerOptions & { readonly targetShape: readonly number[] }): Reshape => create('Reshape', Reshape.fromConfig, options)
export const dropout = (options: LayerOptions & { readonly rate: number; readonly seed?: number }): Dropout => create('Dropout', Dropout.fromConfig, options)
export const activation = (options: LayerOptions & { readonly activation: string }): Activation => create('Activation', Activation.fromConfig, options)
export const leakyReLU = (options: LayerOptions & { readonly alpha?: number } = {}): LeakyReLU => create('LeakyReLU', LeakyReLU.fromConfig, options)
export const batchNormalization = (options: BatchNormalizationOptions = {}): BatchNormalization => create('BatchNormalization', BatchNormalization.fromConfig, options)
export const layerNormalization = (options: LayerNormalizationOptions = {}): LayerNormalization => create('LayerNormalization', LayerNormalization.fromConfig, options)
export const embedding = (options: EmbeddingOptions): Embedding => create('Embedding', Embedding.fromConfig, options)

/** An input layer for a Sequential model (the functional API uses `input()`). */
export const inputLayer = (options: { readonly inputShape: readonly (number | null)[]; readonly name?: string; readonly dtype?: DType }): InputLayer =>
  create('InputLayer', InputLayer.fromConfig, options)
