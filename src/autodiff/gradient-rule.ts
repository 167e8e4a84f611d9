/**
 * @module autodiff/gradient-rule
 * The contract between the backward pass and the per-op gradient rules. A rule sees one
 * forward node, the gradients of its outputs and a context that emits nodes into the same
 * graph; it returns one gradient value per input. Rules are pure graph emitters: they never
 * run anything, and they use standard ONNX ops (default domain, opset 17) only.
 */
import type { Datatype } from '../core/datatypes.ts'
import type { Attribute, ConstantTensor, GraphNode } from '../onnx/onnx-builder.ts'

/** A forward node with the name it gets in the serialised model (`<opType>_<index>`). */
export interface ForwardNode extends GraphNode {
  readonly name: string
}

/** What a rule knows and can do while it emits the gradient of one node. */
export interface GradientContext {
  /** Static shape of a value (-1 for a dynamic dim); undefined where even the rank is unknown. */
  shapeOf(name: string): readonly number[] | undefined
  /** Static rank of a value, where known. */
  rankOf(name: string): number | undefined
  /** Element type of a value; falls back to the loss type for values inference could not type. */
  datatypeOf(name: string): Datatype
  /** Values of a constant (initializer, Constant node or folded shape arithmetic), where known. */
  constantValue(name: string): readonly number[] | undefined
  /** Whether input `index` of the current node needs a gradient (skip work for the others). */
  needsGradient(index: number): boolean
  /** Emits a node with one output; returns the output name (unique, under the gradient prefix). */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>): string
  /** Emits a node with several outputs. */
  ops(opType: string, inputs: readonly string[], outputCount: number, attributes?: Record<string, Attribute>): string[]
  /** A Constant node holding `tensor`. */
  constant(tensor: ConstantTensor): string
  /** A scalar constant of a float type (the type of `like` when a value name is given). */
  scalar(value: number, like: string | Datatype): string
  /** A 1-D INT64 constant (axes, shapes, split sizes, pads). */
  int64s(values: readonly number[]): string
  /** Zeros with the run-time shape and the element type of `like`. */
  zerosLike(like: string): string
  /** An error naming the current node, for a configuration the rule cannot differentiate. */
  unsupported(reason: string): Error
}

/** The gradient of one op type. */
export interface GradientRule {
  /**
   * Inputs through which gradients flow. Others (indices, shapes, axes, masks, ratios) never get
   * one, and a path from a wrt value through them does not make the node part of the backward pass.
   */
  readonly differentiableInputs: 'all' | readonly number[]
  /**
   * Emits the gradient nodes. `outputGradients[i]` is the gradient of output i, undefined when
   * that output does not reach the loss (at least one is defined). Returns one entry per input:
   * a value with exactly that input's shape, or undefined for no gradient.
   */
  backward(node: ForwardNode, outputGradients: readonly (string | undefined)[], context: GradientContext): readonly (string | undefined)[]
}

/** Rules by op type (default ONNX domain). */
export type GradientRules = ReadonlyMap<string, GradientRule>

/** A rule for ops whose outputs carry no gradient to their inputs (comparisons, shapes, labels). */
export const NON_DIFFERENTIABLE: GradientRule = Object.freeze({
  differentiableInputs: [],
  backward: () => [],
})

/** Whether input `index` of `node` is differentiable under `rule`. */
export function isDifferentiableInput(rule: GradientRule, index: number): boolean {
  return rule.differentiableInputs === 'all' || rule.differentiableInputs.includes(index)
}

/** Reads an int attribute with its ONNX default. */
export function intAttribute(node: GraphNode, name: string, fallback: number): number {
  const attribute = node.attributes[name]
  return attribute?.type === 'int' ? attribute.value : fallback
}

/** Reads a float attribute with its ONNX default. */
export function floatAttribute(node: GraphNode, name: string, fallback: number): number {
  const attribute = node.attributes[name]
  return attribute?.type === 'float' ? attribute.value : fallback
}

/** Reads an ints attribute, undefined when absent. */
export function intsAttribute(node: GraphNode, name: string): readonly number[] | undefined {
  const attribute = node.attributes[name]
  return attribute?.type === 'ints' ? attribute.value : undefined
}

/** Reads a string attribute with its ONNX default. */
export function stringAttribute(node: GraphNode, name: string, fallback: string): string {
  const attribute = node.attributes[name]
  return attribute?.type === 'string' ? attribute.value : fallback
}

/** An optional input: undefined when absent or given as the empty name. */
export function optionalInput(node: GraphNode, index: number): string | undefined {
  const name = node.inputs[index]
  return name === undefined || name === '' ? undefined : name
}
