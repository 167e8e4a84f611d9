/**
 * @module server/grpc/grpc-infer-serialization
 * The wire (de)serializers of ModelInfer, installed in place of proto-loader's generic ones
 * (grpc-proto.ts). They give and take exactly the message shapes of grpc-messages.ts, as
 * proto-loader would with PROTO_OBJECT_OPTIONS, but skip its field-by-field object
 * conversion where a field needs none: a request's tensors, shapes and raw contents are read
 * straight off the decoded message, and a response is encoded as it is (its fields already
 * have the wire types), without fromObject. Parameters and typed contents, rare and
 * intricate, still go through protobufjs' own toObject. Raw contents stay views of the
 * received bytes.
 */
import type { ServiceDefinition } from '@grpc/grpc-js'
import type protobuf from 'protobufjs'
import type { ModelInferRequestMessage, ModelInferResponseMessage } from './grpc-messages.ts'
import { grpcMessageTypes } from './grpc-message-types.ts'
import { PROTO_OBJECT_OPTIONS } from './grpc-proto.ts'

/** A decoded protobufjs message: fields that came on the wire are own properties, the rest defaults on the prototype. */
type Decoded = protobuf.Message & Record<string, any>

const hasField = (message: Decoded, field: string): boolean => Object.hasOwn(message, field) && message[field] != null

/** Reads a ModelInferRequest from its wire bytes; the same object proto-loader's deserializer gives. */
export function readModelInferRequest(bytes: Buffer): ModelInferRequestMessage {
  const { ModelInferRequest } = grpcMessageTypes()
  const decoded = ModelInferRequest.decode(bytes) as Decoded
  const message: Record<string, unknown> = {}
  copyStrings(decoded, message, 'model_name', 'model_version', 'id')
  copyParameters(decoded, message)
  if (decoded.inputs.length > 0) message.inputs = (decoded.inputs as Decoded[]).map(readInput)
  if (decoded.outputs.length > 0) message.outputs = (decoded.outputs as Decoded[]).map(readRequestedOutput)
  if (decoded.raw_input_contents.length > 0) message.raw_input_contents = [...(decoded.raw_input_contents as Buffer[])]
  return message
}

function readInput(decoded: Decoded): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  copyStrings(decoded, input, 'name', 'datatype')
  const dims = decoded.shape as readonly unknown[]
  if (dims.length > 0) {
    // int64 as a decimal string, from a Long or a number alike.
    const shape = new Array<string>(dims.length)
    for (let i = 0; i < dims.length; i++) shape[i] = String(dims[i])
    input.shape = shape
  }
  copyParameters(decoded, input)
  if (hasField(decoded, 'contents')) input.contents = grpcMessageTypes().InferTensorContents.toObject(decoded.contents, PROTO_OBJECT_OPTIONS)
  return input
}

function readRequestedOutput(decoded: Decoded): Record<string, unknown> {
  const output: Record<string, unknown> = {}
  copyStrings(decoded, output, 'name')
  copyParameters(decoded, output)
  return output
}

function copyStrings(decoded: Decoded, target: Record<string, unknown>, ...fields: string[]): void {
  for (const field of fields) if (hasField(decoded, field)) target[field] = decoded[field]
}

/** A non-empty `parameters` map, each InferParameter as proto-loader gives it (the oneof named by `parameter_choice`). */
function copyParameters(decoded: Decoded, target: Record<string, unknown>): void {
  const map = decoded.parameters as Record<string, protobuf.Message> | undefined
  if (!map) return
  const keys = Object.keys(map)
  if (keys.length === 0) return
  const { InferParameter } = grpcMessageTypes()
  const parameters: Record<string, unknown> = {}
  for (const key of keys) parameters[key] = InferParameter.toObject(map[key]!, PROTO_OBJECT_OPTIONS)
  target.parameters = parameters
}

/** Writes a ModelInferResponse; its fields already have their wire types, so no conversion is needed. */
export function writeModelInferResponse(message: ModelInferResponseMessage): Buffer {
  return grpcMessageTypes().ModelInferResponse.encode(message).finish() as Buffer
}

/** `definition` (GRPCInferenceService) with ModelInfer's request read and response written by the functions above. */
export function withModelInferSerializers(definition: ServiceDefinition): ServiceDefinition {
  const method = definition.ModelInfer
  if (!method) throw new Error('ModelInfer missing from the GRPCInferenceService definition')
  return { ...definition, ModelInfer: { ...method, requestDeserialize: readModelInferRequest, responseSerialize: writeModelInferResponse } }
}
