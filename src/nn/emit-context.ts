/**
 * @module nn/emit-context
 * What a layer sees while it writes its ONNX nodes: scoped node and constant helpers, its
 * weights as graph values, the graph mode, and a way to report new values of its state
 * (BatchNormalization's moving statistics). Implemented by nn/forward-graph.
 */
import type { Attribute, GraphBuilder } from '../onnx/onnx-builder.ts'

/** 'train': Dropout active, BatchNormalization on batch statistics. 'inference': the served graph. */
export type GraphMode = 'train' | 'inference'

export interface EmitContext {
  readonly graph: GraphBuilder
  readonly mode: GraphMode
  /**
   * True when this layer call produces a model output whose final softmax or sigmoid the
   * caller asked to leave out (the trainer fuses it into the loss); the layer then calls
   * `omitActivation` instead of emitting it.
   */
  readonly omitOutputActivation: boolean
  /** Adds a node whose outputs are named after the layer; returns them. */
  node(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>, outputs?: number): string[]
  /** `node` with one output. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>): string
  /** A Constant node holding `values` (FP32 by default; INT64 for shapes and axes; BOOL flags). */
  constant(values: readonly number[], shape: readonly number[], datatype?: 'FP32' | 'INT64' | 'BOOL'): string
  /** The graph value of this layer's weight `local` ('kernel' → 'dense/kernel'). */
  weight(local: string): string
  /** Reports that `value` is the new value of this layer's state weight `local` after the step. */
  updateState(local: string, value: string): void
  /** The seed for the next Dropout node (distinct per node, derived from the caller's seed). */
  dropoutSeed(): number
  /** Records that an activation ('softmax', 'sigmoid') of this output was left out. */
  omitActivation(activation: string): void
}
