/**
 * @module nn/inference-export
 * A model as a self-contained ONNX file for serving: inference mode (no Dropout,
 * BatchNormalization on its moving statistics), every weight an initializer, outputs named
 * after the output layers (or as given), labels and the model's JSON spec in metadata_props.
 */
import { GraphBuilder } from '../onnx/onnx-builder.ts'
import { emitForward } from './forward-graph.ts'
import type { Model } from './model.ts'

export interface ExportOptions {
  /** metadata_props entries. */
  readonly metadata?: Readonly<Record<string, string>>
  /** Class labels, stored as metadata 'labels' (a JSON array), as the server reads them. */
  readonly labels?: readonly string[]
  readonly inputNames?: readonly string[]
  /** Default: the output layers' names. */
  readonly outputNames?: readonly string[]
  /** Store the model's spec as metadata 'maas.model_spec' (default true). */
  readonly includeSpec?: boolean
}

/** ONNX bytes (IR 8, opset 17) of the model with its current weights. */
export function exportInferenceModel(model: Model, options: ExportOptions = {}): Uint8Array {
  const graph = new GraphBuilder(model.name)
  const outputNames = options.outputNames ?? model.outputs.map((tensor) => tensor.call.layer.name)
  const forward = emitForward(model, graph, {
    mode: 'inference',
    parameters: 'initializers',
    outputNames,
    ...(options.inputNames ? { inputNames: options.inputNames } : {}),
  })
  forward.outputs.forEach((name, index) => graph.output(name, 'FP32', forward.outputShapes[index]!))
  const metadata: Record<string, string> = {}
  if (options.includeSpec ?? true) metadata['maas.model_spec'] = JSON.stringify(model.toSpec())
  if (options.labels) metadata.labels = JSON.stringify(options.labels)
  return graph.toBytes({ metadata: { ...metadata, ...options.metadata } })
}
