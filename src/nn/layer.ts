/**
 * @module nn/layer
 * The Layer contract: a Keras-like description (class name + config) that computes its
 * output shape when applied to symbolic tensors, declares its weights and writes its ONNX
 * nodes. Layers hold no weight values: the Model owns those, so one layer description can
 * serve several models. Layers work channels_last (NHWC) like Keras.
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { attr } from '../onnx/onnx-builder.ts'
import type { ConfigReader } from './config-reader.ts'
import type { EmitContext } from './emit-context.ts'
import type { Initializer } from './initializers.ts'
import { formatShape, type DType, type Shape, type TensorInfo } from './shape.ts'

/** How a stored weight maps to Keras' layout (see nn/keras-weights). */
export type WeightLayout = 'keras' | 'conv2d_kernel' | 'depthwise_kernel'

/** A weight a layer declares. */
export interface WeightSpec {
  /** Local name, as Keras names it: 'kernel', 'bias', 'gamma', 'moving_mean', ... */
  readonly name: string
  /** Shape as stored and fed to ONNX. */
  readonly shape: readonly number[]
  /** Shape in Keras' layout (equal to `shape` unless `layout` says otherwise). */
  readonly kerasShape: readonly number[]
  readonly layout: WeightLayout
  /** False for state such as moving statistics (and for every weight of a frozen layer). */
  readonly trainable: boolean
  readonly initializer: Initializer
}

/** The options every layer takes. */
export interface LayerCommon {
  readonly name?: string
  readonly trainable: boolean
  /** Per-example input shape declared on the layer (Keras' input_shape / batch_input_shape). */
  readonly inputShape?: Shape
  readonly inputDtype?: DType
}

/** One application of a layer to symbolic inputs (Keras' inbound node). */
export interface LayerCall {
  readonly layer: Layer
  readonly inputs: readonly SymbolicTensor[]
  readonly output: SymbolicTensor
}

/** A value in a model under construction: what `input()` and `layer.apply()` return. */
export class SymbolicTensor implements TensorInfo {
  #call: LayerCall | undefined

  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  /** The layer call that produces this tensor. */
  get call(): LayerCall {
    if (!this.#call) throw new Error('symbolic tensor without a producer')
    return this.#call
  }

  /** @internal set once by the producing layer. */
  bind(call: LayerCall): void {
    this.#call = call
  }
}

export abstract class Layer {
  abstract readonly className: string
  readonly trainable: boolean
  readonly inputShape: Shape | undefined
  readonly inputDtype: DType | undefined
  /** Merge layers take a list of tensors; every other layer exactly one. */
  readonly takesList: boolean = false
  #name: string | undefined
  readonly #calls: LayerCall[] = []

  constructor(common: LayerCommon) {
    this.#name = common.name
    this.trainable = common.trainable
    this.inputShape = common.inputShape
    this.inputDtype = common.inputDtype
  }

  /** The layer's name; empty until given or assigned by the model that uses it. */
  get name(): string {
    return this.#name ?? ''
  }

  /** @internal Gives an unnamed layer its model-unique name (Keras style: 'dense_1'). */
  assignName(name: string): void {
    this.#name ??= name
  }

  /** Name for messages: the layer name, or its class while unnamed. */
  get label(): string {
    return this.#name ? `${this.className} '${this.#name}'` : this.className
  }

  get calls(): readonly LayerCall[] {
    return this.#calls
  }

  /** Applies the layer to symbolic inputs, checking shapes now (as Keras does). */
  apply(inputs: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
    const list = inputs instanceof SymbolicTensor ? [inputs] : [...inputs]
    if (this.takesList ? list.length < 2 : list.length !== 1) {
      this.fail(this.takesList ? `expects a list of at least 2 inputs, got ${list.length}` : `expects one input, got ${list.length}`)
    }
    return this.addCall(list, this.computeOutput(list))
  }

  /** Records a call of this layer producing a tensor described by `info`. */
  protected addCall(inputs: readonly SymbolicTensor[], info: TensorInfo): SymbolicTensor {
    const output = new SymbolicTensor(info.shape, info.dtype)
    const call: LayerCall = { layer: this, inputs, output }
    output.bind(call)
    this.#calls.push(call)
    return output
  }

  /** Keras' compute_output_shape (and dtype); throws InvalidArgumentError for unusable inputs. */
  abstract computeOutput(inputs: readonly TensorInfo[]): TensorInfo

  /** Weights for these input shapes, in Keras' order. */
  weightSpecs(_inputs: readonly TensorInfo[]): readonly WeightSpec[] {
    return []
  }

  /** Writes the layer's nodes; returns the output value name. */
  abstract emit(ctx: EmitContext, inputs: readonly string[], infos: readonly TensorInfo[]): string

  /** The class-specific part of the Keras config (snake_case keys). */
  protected abstract classConfig(): Record<string, unknown>

  /** The full Keras config. */
  toConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: this.trainable,
      dtype: this.inputDtype ?? 'float32',
      ...(this.inputShape ? { batch_input_shape: [null, ...this.inputShape.map((dim) => (dim < 0 ? null : dim))] } : {}),
      ...this.classConfig(),
    }
  }

  protected fail(message: string): never {
    throw new InvalidArgumentError(`${this.label}: ${message}`)
  }

  /** The input's shape, checked to have `rank` dimensions (batch excluded). */
  protected requireRank(input: TensorInfo | undefined, rank: number, what: string): Shape {
    const shape = input?.shape ?? []
    if (shape.length !== rank) this.fail(`expects ${what}, got input shape ${formatShape(shape)}`)
    return shape
  }
}

/** Reads the options every layer takes; `input_dim` is Keras' short form of input_shape [input_dim]. */
export function readCommon(reader: ConfigReader): LayerCommon {
  const name = reader.optionalString('name')
  const trainable = reader.boolean('trainable', true)
  let inputShape: Shape | undefined
  for (const key of ['batch_input_shape', 'batch_shape']) {
    if (reader.has(key)) inputShape = reader.shape(key, { minRank: 1 }).slice(1)
  }
  if (reader.has('input_shape')) inputShape = reader.shape('input_shape')
  if (reader.has('input_dim') && !inputShape) inputShape = [reader.positiveInt('input_dim')]
  reader.accept('batch_input_shape', 'batch_shape', 'input_shape', 'input_dim', 'batch_size')
  const inputDtype = readDtype(reader)
  return { ...(name ? { name } : {}), trainable, ...(inputShape ? { inputShape } : {}), ...(inputDtype ? { inputDtype } : {}) }
}

/** `dtype` as Keras writes it: a string, or Keras 3's DTypePolicy object. Only int/float 32/64 are served. */
function readDtype(reader: ConfigReader): DType | undefined {
  let value = reader.raw('dtype')
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const config = (value as Record<string, unknown>).config
    value = typeof config === 'object' && config !== null ? (config as Record<string, unknown>).name : undefined
  }
  if (value === undefined || value === null || value === 'float32' || value === 'float64' || value === 'mixed_float16') return undefined
  if (value === 'int32' || value === 'int64') return value
  return reader.fail('dtype', "'float32', 'int32' or 'int64'", value)
}

/** `x` as FP32: a Cast when the producer is an integer input (Keras casts layer inputs to the compute dtype). */
export function asFloat(ctx: EmitContext, x: string, info: TensorInfo): string {
  return info.dtype === 'float32' ? x : ctx.op('Cast', [x], { to: attr.int(1) })
}
