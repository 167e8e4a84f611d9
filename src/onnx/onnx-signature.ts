/**
 * @module onnx/onnx-signature
 * Reads a model's signature (inputs, outputs, KServe datatypes, shapes with -1 for dynamic
 * dimensions) and its metadata_props straight from the ONNX protobuf.
 */
import type { Datatype } from '../core/datatypes.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { datatypeOfOnnx } from './onnx-datatypes.ts'
import { decodeModel, type DecodedValueInfo } from './onnx-proto.ts'

/** One input or output of a model. Shape uses -1 for dimensions that vary per request. */
export interface TensorSpec {
  readonly name: string
  readonly datatype: Datatype
  readonly shape: readonly number[]
  /** True when the model does not declare the rank; the shape is then not checked. */
  readonly rankUnknown?: boolean
}

export interface ModelSignature {
  readonly inputs: readonly TensorSpec[]
  readonly outputs: readonly TensorSpec[]
  /** The model's metadata_props, e.g. labels written by the exporter. */
  readonly metadata: Readonly<Record<string, string>>
  readonly producer: string
  readonly irVersion: number
  readonly opset: number
}

/** Parses ONNX bytes into a signature; a file that is not a usable ONNX model gets a clear error. */
export function readOnnxSignature(bytes: Uint8Array): ModelSignature {
  let model
  try {
    model = decodeModel(bytes)
  } catch (error) {
    throw new InvalidArgumentError(`not a valid ONNX model: ${(error as Error).message}`, { cause: error })
  }
  const graph = model.graph
  if (!graph || !graph.output?.length) throw new InvalidArgumentError('not a valid ONNX model: it has no graph outputs')
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name))
  const inputs = (graph.input ?? []).filter((info) => !initializers.has(info.name)).map(readTensorSpec)
  const metadata: Record<string, string> = {}
  for (const { key, value } of model.metadataProps ?? []) metadata[key] = value
  const defaultOpset = (model.opsetImport ?? []).find((entry) => !entry.domain || entry.domain === 'ai.onnx')
  return {
    inputs,
    outputs: graph.output.map(readTensorSpec),
    metadata,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    irVersion: Number(model.irVersion ?? 0),
    opset: Number(defaultOpset?.version ?? 0),
  }
}

function readTensorSpec(info: DecodedValueInfo): TensorSpec {
  const tensorType = info.type?.tensorType
  if (!tensorType) throw new InvalidArgumentError(`tensor '${info.name}' is not a plain tensor; maas serves tensor inputs and outputs only`)
  const datatype = datatypeOfOnnx(tensorType.elemType ?? 0)
  if (!datatype) throw new InvalidArgumentError(`tensor '${info.name}' has ONNX element type ${tensorType.elemType}, which maas cannot serve`)
  const shape = (tensorType.shape?.dim ?? []).map((dim) => {
    const value = typeof dim.dimValue === 'object' ? dim.dimValue.toNumber() : dim.dimValue
    return value !== undefined && value > 0 ? value : -1
  })
  return tensorType.shape ? { name: info.name, datatype, shape } : { name: info.name, datatype, shape, rankUnknown: true }
}
