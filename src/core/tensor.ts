/**
 * @module core/tensor
 * The transport-neutral tensor and inference request/response shapes that the data plane
 * works with. Codecs (JSON, binary, gRPC) translate to and from these; engines consume them.
 */
import type { Datatype } from './datatypes.ts'

/** Element storage: a typed array for fixed-size datatypes, byte strings for BYTES. */
export type TensorData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | Uint8Array[]

/** A parameter value as the protocols allow it. */
export type ParameterValue = string | number | boolean

export type Parameters = Record<string, ParameterValue>

export interface Tensor {
  readonly name: string
  readonly datatype: Datatype
  readonly shape: readonly number[]
  readonly data: TensorData
  readonly parameters?: Parameters
}

/** An output the client asked for, with its per-output parameters (e.g. binary_data). */
export interface RequestedOutput {
  readonly name: string
  readonly parameters?: Parameters
}

export interface InferRequest {
  readonly id?: string
  readonly parameters?: Parameters
  readonly inputs: readonly Tensor[]
  /** Absent: every output of the model. */
  readonly outputs?: readonly RequestedOutput[]
}

export interface InferResponse {
  readonly modelName: string
  readonly modelVersion: string
  readonly id?: string
  readonly parameters?: Parameters
  readonly outputs: readonly Tensor[]
  /** The class labels of the version that ran (config.json `labels`, else the ONNX metadata's), for classifying transports. */
  readonly classLabels?: readonly string[]
}

/** Number of elements of a shape; 1 for a scalar. */
export function elementCount(shape: readonly number[]): number {
  let count = 1
  for (const dim of shape) count *= dim
  return count
}

/** Number of elements held by tensor data. */
export function dataLength(data: TensorData): number {
  return data.length
}
