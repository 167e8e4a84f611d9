/**
 * @module nn/layers/merge
 * Keras merge layers for the functional API: Add, Subtract, Multiply, Average, Maximum,
 * Minimum (equal shapes, chained binary ops) and Concatenate (along `axis`, batch counted,
 * default -1).
 */
import { attr } from '../../onnx/onnx-builder.ts'
import type { ConfigReader } from '../config-reader.ts'
import type { EmitContext } from '../emit-context.ts'
import { Layer, asFloat, readCommon, type LayerCommon } from '../layer.ts'
import { formatShape, normalizeAxis, type TensorInfo } from '../shape.ts'

const ELEMENTWISE = { Add: 'Add', Subtract: 'Sub', Multiply: 'Mul', Average: 'Add', Maximum: 'Max', Minimum: 'Min' } as const

export type ElementwiseMergeClass = keyof typeof ELEMENTWISE

function sameDim(a: number, b: number): boolean {
  return a < 0 || b < 0 || a === b
}

/** Add, Subtract, Multiply, Average, Maximum or Minimum of inputs of one shape. */
export class ElementwiseMerge extends Layer {
  override readonly takesList = true

  constructor(
    readonly className: ElementwiseMergeClass,
    common: LayerCommon,
  ) {
    super(common)
  }

  static reader(className: ElementwiseMergeClass): (reader: ConfigReader) => ElementwiseMerge {
    return (reader) => {
      const common = readCommon(reader)
      reader.finish()
      return new ElementwiseMerge(className, common)
    }
  }

  computeOutput(inputs: readonly TensorInfo[]): TensorInfo {
    if (this.className === 'Subtract' && inputs.length !== 2) this.fail(`expects exactly 2 inputs, got ${inputs.length}`)
    const first = inputs[0]!.shape
    for (const input of inputs) {
      if (input.shape.length !== first.length || input.shape.some((dim, axis) => !sameDim(dim, first[axis]!))) {
        this.fail(`expects inputs of one shape, got ${inputs.map((item) => formatShape(item.shape)).join(' and ')}`)
      }
    }
    return { shape: first.map((dim, axis) => Math.max(dim, ...inputs.map((input) => input.shape[axis]!))), dtype: 'float32' }
  }

  emit(ctx: EmitContext, names: readonly string[], infos: readonly TensorInfo[]): string {
    const values = names.map((name, index) => asFloat(ctx, name, infos[index]!))
    let result = values.slice(1).reduce((left, right) => ctx.op(ELEMENTWISE[this.className], [left, right]), values[0]!)
    if (this.className === 'Average') result = ctx.op('Mul', [result, ctx.constant([1 / values.length], [])])
    return result
  }

  protected classConfig(): Record<string, unknown> {
    return {}
  }
}

export class Concatenate extends Layer {
  readonly className = 'Concatenate'
  override readonly takesList = true

  constructor(
    readonly axis: number,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): Concatenate {
    const common = readCommon(reader)
    const axis = reader.raw('axis') ?? -1
    if (!Number.isInteger(axis)) reader.fail('axis', 'an integer')
    reader.finish()
    return new Concatenate(axis as number, common)
  }

  computeOutput(inputs: readonly TensorInfo[]): TensorInfo {
    const first = inputs[0]!.shape
    const rank = first.length + 1
    const axis = normalizeAxis(this.axis, rank)
    if (axis < 1 || axis >= rank) this.fail(`axis ${this.axis} is out of range for inputs of shape ${formatShape(first)}`)
    const fits = (shape: readonly number[]) => shape.length === first.length && shape.every((dim, index) => index === axis - 1 || sameDim(dim, first[index]!))
    if (!inputs.every((input) => fits(input.shape))) {
      this.fail(`expects inputs that differ only along axis ${this.axis}, got ${inputs.map((item) => formatShape(item.shape)).join(' and ')}`)
    }
    const sizes = inputs.map((input) => input.shape[axis - 1]!)
    const shape = [...first]
    shape[axis - 1] = sizes.some((size) => size < 0) ? -1 : sizes.reduce((sum, size) => sum + size, 0)
    return { shape, dtype: 'float32' }
  }

  emit(ctx: EmitContext, names: readonly string[], infos: readonly TensorInfo[]): string {
    const axis = normalizeAxis(this.axis, infos[0]!.shape.length + 1)
    return ctx.op('Concat', names.map((name, index) => asFloat(ctx, name, infos[index]!)), { axis: attr.int(axis) })
  }

  protected classConfig(): Record<string, unknown> {
    return { axis: this.axis }
  }
}
