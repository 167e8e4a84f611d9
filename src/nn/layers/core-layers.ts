/**
 * @module nn/layers/core-layers
 * Keras InputLayer, Flatten, Reshape, Dropout, Activation and LeakyReLU. Flatten and Reshape
 * act on the NHWC tensor as it is, so the flattened order is Keras' (height, width,
 * channels) and Dense weights trained by Keras or TF.js apply unchanged. Dropout emits a
 * node only in 'train' mode (ONNX Dropout with ratio and training_mode=true inputs, a seed
 * attribute and its mask output); in 'inference' mode it is the identity and emits nothing.
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { emitActivation, emitLeakyRelu, parseActivation, type ActivationName } from '../activations.ts'
import type { ConfigReader } from '../config-reader.ts'
import type { EmitContext } from '../emit-context.ts'
import { Layer, SymbolicTensor, asFloat, readCommon, type LayerCommon } from '../layer.ts'
import { formatShape, sizeOf, type DType, type Shape, type TensorInfo } from '../shape.ts'

/** A model input: a placeholder with a per-example shape and a dtype. */
export class InputLayer extends Layer {
  readonly className = 'InputLayer'
  #output: SymbolicTensor | undefined

  constructor(common: LayerCommon & { readonly inputShape: Shape }) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): InputLayer {
    const common = readCommon(reader)
    reader.unsupported('sparse', false)
    reader.unsupported('ragged', false)
    reader.finish()
    if (!common.inputShape) reader.failWith("an InputLayer needs 'batch_input_shape' (or 'batch_shape')")
    return new InputLayer({ ...common, inputShape: common.inputShape })
  }

  get dtype(): DType {
    return this.inputDtype ?? 'float32'
  }

  /** The symbolic tensor this input stands for. */
  get output(): SymbolicTensor {
    this.#output ??= this.addCall([], { shape: this.inputShape!, dtype: this.dtype })
    return this.#output
  }

  computeOutput(): TensorInfo {
    return this.fail('an InputLayer is not applied to tensors')
  }

  emit(): string {
    return this.fail('an InputLayer is bound to a graph input, not emitted')
  }

  protected classConfig(): Record<string, unknown> {
    return { sparse: false, ragged: false }
  }
}

export class Flatten extends Layer {
  readonly className = 'Flatten'

  static fromConfig(reader: ConfigReader): Flatten {
    const common = readCommon(reader)
    reader.unsupported('data_format', 'channels_last')
    reader.finish()
    return new Flatten(common)
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    const size = sizeOf(input!.shape)
    if (size < 0) this.fail(`expects an input with known dimensions, got ${formatShape(input!.shape)}`)
    return { shape: [size], dtype: input!.dtype }
  }

  emit(ctx: EmitContext, [x]: readonly string[]): string {
    return ctx.op('Flatten', [x!], { axis: attr.int(1) })
  }

  protected classConfig(): Record<string, unknown> {
    return { data_format: 'channels_last' }
  }
}

export class Reshape extends Layer {
  readonly className = 'Reshape'

  constructor(
    readonly targetShape: Shape,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): Reshape {
    const common = readCommon(reader)
    const targetShape = reader.shape('target_shape', { minRank: 1 })
    if (targetShape.filter((dim) => dim < 0).length > 1) reader.fail('target_shape', 'a shape with at most one unknown (-1) dimension', targetShape)
    reader.finish()
    return new Reshape(targetShape, common)
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    const size = sizeOf(input!.shape)
    const known = this.targetShape.filter((dim) => dim > 0).reduce((product, dim) => product * dim, 1)
    const unknown = this.targetShape.some((dim) => dim < 0)
    const mismatch = `cannot reshape ${formatShape(input!.shape)} to ${formatShape(this.targetShape)}`
    if (size < 0) return { shape: this.targetShape, dtype: input!.dtype }
    if (unknown ? size % known !== 0 : size !== known) this.fail(mismatch)
    return { shape: this.targetShape.map((dim) => (dim < 0 ? size / known : dim)), dtype: input!.dtype }
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    const shape = this.computeOutput([info!]).shape
    // Static target: batch -1. Otherwise 0 copies the batch from the input and -1 is inferred.
    const target = shape.every((dim) => dim > 0) ? [-1, ...shape] : [0, ...this.targetShape]
    return ctx.op('Reshape', [x!, ctx.constant(target, [target.length], 'INT64')])
  }

  protected classConfig(): Record<string, unknown> {
    return { target_shape: this.targetShape.map((dim) => (dim < 0 ? -1 : dim)) }
  }
}

export class Dropout extends Layer {
  readonly className = 'Dropout'

  constructor(
    readonly rate: number,
    readonly seed: number | undefined,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): Dropout {
    const common = readCommon(reader)
    const rate = reader.number('rate', Number.NaN, { min: 0, max: 1, maxExclusive: true })
    if (Number.isNaN(rate)) reader.fail('rate', 'a finite number >= 0 and < 1')
    const seed = reader.raw('seed')
    if (seed !== undefined && seed !== null && (!Number.isInteger(seed) || (seed as number) < 0)) reader.fail('seed', 'a non-negative integer or null')
    reader.unsupported('noise_shape')
    reader.finish()
    return new Dropout(rate, (seed as number | null | undefined) ?? undefined, common)
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    return { shape: input!.shape, dtype: 'float32' }
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    const input = asFloat(ctx, x!, info!)
    if (ctx.mode !== 'train' || this.rate === 0) return input
    const seed = this.seed ?? ctx.dropoutSeed()
    const inputs = [input, ctx.constant([this.rate], []), ctx.constant([1], [], 'BOOL')]
    return ctx.node('Dropout', inputs, { seed: attr.int(seed) }, 2)[0]!
  }

  protected classConfig(): Record<string, unknown> {
    return { rate: this.rate, noise_shape: null, seed: this.seed ?? null }
  }
}

export class Activation extends Layer {
  readonly className = 'Activation'

  constructor(
    readonly activation: ActivationName,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): Activation {
    const common = readCommon(reader)
    if (!reader.has('activation')) reader.fail('activation', 'an activation name')
    const activation = parseActivation(reader)
    reader.finish()
    return new Activation(activation, common)
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    return { shape: input!.shape, dtype: 'float32' }
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    return emitActivation(ctx, asFloat(ctx, x!, info!), this.activation)
  }

  protected classConfig(): Record<string, unknown> {
    return { activation: this.activation }
  }
}

/** Keras' LeakyReLU layer: slope `alpha` (Keras 3 calls it negative_slope), default 0.3. */
export class LeakyReLU extends Layer {
  readonly className = 'LeakyReLU'

  constructor(
    readonly alpha: number,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): LeakyReLU {
    const common = readCommon(reader)
    const alpha = reader.number(reader.has('negative_slope') ? 'negative_slope' : 'alpha', 0.3, { min: 0 })
    reader.accept('alpha', 'negative_slope')
    reader.finish()
    return new LeakyReLU(alpha, common)
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    return { shape: input!.shape, dtype: 'float32' }
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    return emitLeakyRelu(ctx, asFloat(ctx, x!, info!), this.alpha)
  }

  protected classConfig(): Record<string, unknown> {
    return { alpha: this.alpha }
  }
}
