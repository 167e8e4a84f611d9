/**
 * @module autodiff/gradient-context
 * The GradientContext the backward pass hands to rules: emits nodes into the graph under
 * `<prefix>/<forward node>/…` names, makes constants, and answers static shape questions
 * from shape inference, which it keeps up to date for the nodes it emits (so that helpers
 * such as the broadcast reduction can decide statically on gradients too).
 */
import { isDatatype, type Datatype } from '../core/datatypes.ts'
import { toFloat16Bits } from '../core/float16.ts'
import { attr, type Attribute, type ConstantTensor, type GraphBuilder } from '../onnx/onnx-builder.ts'
import { UnsupportedGradientError } from './autodiff-errors.ts'
import type { ForwardNode, GradientContext } from './gradient-rule.ts'
import type { ValueFacts } from './value-facts.ts'
import { inferNodeFacts } from './shape-inference-ops.ts'

/** Emits gradient nodes for one forward node at a time. */
export class BuilderGradientContext implements GradientContext {
  #node: ForwardNode | undefined
  #needs: (index: number) => boolean = () => false

  constructor(
    readonly graph: GraphBuilder,
    readonly facts: Map<string, ValueFacts>,
    readonly lossDatatype: Datatype,
    readonly prefix: string,
  ) {}

  /** Switches to the next forward node. */
  begin(node: ForwardNode, needsGradient: (index: number) => boolean): void {
    this.#node = node
    this.#needs = needsGradient
  }

  shapeOf(name: string): readonly number[] | undefined {
    return this.facts.get(name)?.shape
  }

  rankOf(name: string): number | undefined {
    return this.facts.get(name)?.shape?.length
  }

  datatypeOf(name: string): Datatype {
    return this.facts.get(name)?.datatype ?? this.lossDatatype
  }

  constantValue(name: string): readonly number[] | undefined {
    return this.facts.get(name)?.value
  }

  needsGradient(index: number): boolean {
    return this.#needs(index)
  }

  op(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}): string {
    return this.ops(opType, inputs, 1, attributes)[0]!
  }

  ops(opType: string, inputs: readonly string[], outputCount: number, attributes: Record<string, Attribute> = {}): string[] {
    const scope = this.#node ? `${this.prefix}/${this.#node.name}` : this.prefix
    const outputs = Array.from({ length: outputCount }, () => this.graph.uniqueName(`${scope}/${opType}`))
    this.graph.node(opType, inputs, { outputs, attributes })
    const node = { opType, inputs, outputs, attributes }
    let inferred: readonly (ValueFacts | undefined)[] = []
    try {
      inferred = inferNodeFacts(node, (name) => this.facts.get(name))
    } catch {
      // Unknown facts only make rules fall back to dynamic shape ops.
    }
    outputs.forEach((output, index) => this.facts.set(output, inferred[index] ?? {}))
    return outputs
  }

  constant(tensor: ConstantTensor): string {
    return this.op('Constant', [], { value: attr.tensor(tensor) })
  }

  scalar(value: number, like: string | Datatype): string {
    const datatype = isDatatype(like) ? like : this.datatypeOf(like)
    return this.constant(floatTensor(datatype, [], [value]))
  }

  int64s(values: readonly number[]): string {
    return this.constant({ datatype: 'INT64', shape: [values.length], data: BigInt64Array.from(values, BigInt) })
  }

  zerosLike(like: string): string {
    const shape = this.shapeOf(like)
    const dims = shape && shape.every((dim) => dim >= 0) ? this.int64s(shape) : this.op('Shape', [like])
    return this.op('ConstantOfShape', [dims], { value: attr.tensor(floatTensor(this.datatypeOf(like), [1], [0])) })
  }

  /** An error that names the current node. */
  unsupported(reason: string): UnsupportedGradientError {
    return new UnsupportedGradientError(this.#node?.opType ?? '?', this.#node?.name ?? '?', reason)
  }
}

/** A float tensor constant of FP32, FP64 or FP16. */
export function floatTensor(datatype: Datatype, shape: readonly number[], values: readonly number[]): ConstantTensor {
  if (datatype === 'FP64') return { datatype, shape, data: Float64Array.from(values) }
  if (datatype === 'FP16') return { datatype, shape, data: Uint16Array.from(values, toFloat16Bits) }
  if (datatype === 'FP32') return { datatype, shape, data: Float32Array.from(values) }
  throw new UnsupportedGradientError('?', '?', `gradients of ${datatype} values are not defined`)
}
