/**
 * @module nn/layers/conv
 * Keras Conv2D and DepthwiseConv2D, channels_last, TensorFlow 'same'/'valid' padding,
 * strides and dilation. Kernels are stored in ONNX layout — Conv2D [filters, in, kh, kw],
 * DepthwiseConv2D [in·multiplier, 1, kh, kw] — because in training they are graph inputs
 * and a per-step Transpose from Keras' [kh, kw, in, out] would run every step; Keras layout
 * exists only at the edges (nn/keras-weights). Elementwise activations run in NCHW, next to
 * Conv (ORT fuses Conv+Relu); softmax runs after the transpose back, on the channel axis.
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { emitActivation, parseActivation, type ActivationName } from '../activations.ts'
import type { ConfigReader } from '../config-reader.ts'
import type { EmitContext } from '../emit-context.ts'
import { parseInitializer, serializeInitializer, type Initializer } from '../initializers.ts'
import { Layer, asFloat, readCommon, type LayerCommon, type WeightSpec } from '../layer.ts'
import { windowOutputLength, type Padding, type TensorInfo } from '../shape.ts'
import { TO_CHANNELS_FIRST, TO_CHANNELS_LAST, windowPadding } from './channels-first.ts'

/** The options Conv2D and DepthwiseConv2D share. */
export interface ConvWindow {
  readonly kernelSize: readonly number[]
  readonly strides: readonly number[]
  readonly padding: Padding
  readonly dilationRate: readonly number[]
  readonly activation: ActivationName
  readonly useBias: boolean
  readonly biasInitializer: Initializer
}

function readWindow(reader: ConfigReader): ConvWindow {
  const window: ConvWindow = {
    kernelSize: reader.intTuple('kernel_size', 2, undefined),
    strides: reader.intTuple('strides', 2, [1, 1]),
    padding: reader.oneOf('padding', ['valid', 'same'], 'valid', (text) => text.toLowerCase()),
    dilationRate: reader.intTuple('dilation_rate', 2, [1, 1]),
    activation: parseActivation(reader),
    useBias: reader.boolean('use_bias', true),
    biasInitializer: parseInitializer(reader, 'bias_initializer', 'zeros'),
  }
  reader.unsupported('data_format', 'channels_last')
  for (const key of ['bias_regularizer', 'activity_regularizer', 'bias_constraint', 'lora_rank']) reader.unsupported(key)
  return window
}

function windowConfig(window: ConvWindow): Record<string, unknown> {
  return {
    kernel_size: [...window.kernelSize],
    strides: [...window.strides],
    padding: window.padding,
    data_format: 'channels_last',
    dilation_rate: [...window.dilationRate],
    activation: window.activation,
    use_bias: window.useBias,
    bias_initializer: serializeInitializer(window.biasInitializer),
    bias_regularizer: null,
    activity_regularizer: null,
    bias_constraint: null,
  }
}

abstract class ConvLayer extends Layer {
  abstract readonly window: ConvWindow

  /** Output channels for `channels` input channels. */
  protected abstract outputChannels(channels: number): number

  /** Conv's `group` attribute. */
  protected abstract groups(channels: number): number

  protected abstract kernelName(): string

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    const [height, width, channels] = this.requireRank(input, 3, 'an NHWC image input of rank 4 (None, height, width, channels)')
    if (channels! < 0) this.fail('expects a known number of input channels')
    const { kernelSize, strides, dilationRate, padding } = this.window
    const length = (dim: number, axis: number) => windowOutputLength(dim, kernelSize[axis]!, strides[axis]!, dilationRate[axis]!, padding)
    const [outHeight, outWidth] = [length(height!, 0), length(width!, 1)]
    if ((height! >= 0 && outHeight <= 0) || (width! >= 0 && outWidth <= 0)) {
      this.fail(`the kernel does not fit the ${height}x${width} input with '${padding}' padding`)
    }
    return { shape: [outHeight, outWidth, this.outputChannels(channels!)], dtype: 'float32' }
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    const channels = info!.shape[2]!
    const { kernelSize, strides, dilationRate, padding, activation, useBias } = this.window
    const nchw = ctx.op('Transpose', [asFloat(ctx, x!, info!)], { perm: attr.ints(TO_CHANNELS_FIRST) })
    const inputs = [nchw, ctx.weight(this.kernelName()), ...(useBias ? [ctx.weight('bias')] : [])]
    let y = ctx.op('Conv', inputs, {
      kernel_shape: attr.ints(kernelSize),
      strides: attr.ints(strides),
      dilations: attr.ints(dilationRate),
      group: attr.int(this.groups(channels)),
      ...windowPadding(padding, info!.shape, kernelSize, strides, dilationRate),
    })
    if (activation !== 'softmax') y = emitActivation(ctx, y, activation)
    y = ctx.op('Transpose', [y], { perm: attr.ints(TO_CHANNELS_LAST) })
    return activation === 'softmax' ? emitActivation(ctx, y, activation) : y
  }
}

export interface Conv2DConfig extends ConvWindow {
  readonly filters: number
  readonly kernelInitializer: Initializer
}

export class Conv2D extends ConvLayer {
  readonly className = 'Conv2D'

  constructor(
    readonly window: Conv2DConfig,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): Conv2D {
    const common = readCommon(reader)
    const config: Conv2DConfig = {
      filters: reader.positiveInt('filters'),
      ...readWindow(reader),
      kernelInitializer: parseInitializer(reader, 'kernel_initializer', 'glorot_uniform'),
    }
    reader.unsupported('groups', 1)
    for (const key of ['kernel_regularizer', 'kernel_constraint']) reader.unsupported(key)
    reader.finish()
    return new Conv2D(config, common)
  }

  protected outputChannels(): number {
    return this.window.filters
  }

  protected groups(): number {
    return 1
  }

  protected kernelName(): string {
    return 'kernel'
  }

  override weightSpecs([input]: readonly TensorInfo[]): readonly WeightSpec[] {
    const channels = input!.shape[2]!
    const { filters, kernelSize, kernelInitializer, biasInitializer, useBias } = this.window
    const [kh, kw] = kernelSize as [number, number]
    const kernel: WeightSpec = { name: 'kernel', shape: [filters, channels, kh, kw], kerasShape: [kh, kw, channels, filters], layout: 'conv2d_kernel', trainable: true, initializer: kernelInitializer }
    const bias: WeightSpec = { name: 'bias', shape: [filters], kerasShape: [filters], layout: 'keras', trainable: true, initializer: biasInitializer }
    return useBias ? [kernel, bias] : [kernel]
  }

  protected classConfig(): Record<string, unknown> {
    const { filters, kernelInitializer } = this.window
    return { filters, ...windowConfig(this.window), groups: 1, kernel_initializer: serializeInitializer(kernelInitializer), kernel_regularizer: null, kernel_constraint: null }
  }
}

export interface DepthwiseConv2DConfig extends ConvWindow {
  readonly depthMultiplier: number
  readonly depthwiseInitializer: Initializer
}

export class DepthwiseConv2D extends ConvLayer {
  readonly className = 'DepthwiseConv2D'

  constructor(
    readonly window: DepthwiseConv2DConfig,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): DepthwiseConv2D {
    const common = readCommon(reader)
    const config: DepthwiseConv2DConfig = {
      ...readWindow(reader),
      depthMultiplier: reader.positiveInt('depth_multiplier', 1),
      depthwiseInitializer: parseInitializer(reader, 'depthwise_initializer', 'glorot_uniform'),
    }
    for (const key of ['depthwise_regularizer', 'depthwise_constraint']) reader.unsupported(key)
    reader.finish()
    return new DepthwiseConv2D(config, common)
  }

  protected outputChannels(channels: number): number {
    return channels * this.window.depthMultiplier
  }

  protected groups(channels: number): number {
    return channels
  }

  protected kernelName(): string {
    return 'depthwise_kernel'
  }

  override weightSpecs([input]: readonly TensorInfo[]): readonly WeightSpec[] {
    const channels = input!.shape[2]!
    const { depthMultiplier, kernelSize, depthwiseInitializer, biasInitializer, useBias } = this.window
    const [kh, kw] = kernelSize as [number, number]
    const outputs = channels * depthMultiplier
    const kernel: WeightSpec = { name: 'depthwise_kernel', shape: [outputs, 1, kh, kw], kerasShape: [kh, kw, channels, depthMultiplier], layout: 'depthwise_kernel', trainable: true, initializer: depthwiseInitializer }
    const bias: WeightSpec = { name: 'bias', shape: [outputs], kerasShape: [outputs], layout: 'keras', trainable: true, initializer: biasInitializer }
    return useBias ? [kernel, bias] : [kernel]
  }

  protected classConfig(): Record<string, unknown> {
    const { depthMultiplier, depthwiseInitializer } = this.window
    return { ...windowConfig(this.window), depth_multiplier: depthMultiplier, depthwise_initializer: serializeInitializer(depthwiseInitializer), depthwise_regularizer: null, depthwise_constraint: null }
  }
}
