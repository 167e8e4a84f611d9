/**
 * @module server/grpc/grpc-tensor-codec
 * ModelInferRequest -> InferRequest and InferResponse -> ModelInferResponse. Inputs come as
 * typed `contents` or, all of them, as raw_input_contents (one entry per input, in order);
 * outputs always go as raw_output_contents, as Triton does. Every malformed part is an
 * InvalidArgumentError whose message names the tensor and what was expected.
 */
import { DATATYPES, isDatatype } from '../../core/datatypes.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import { elementCount, type InferRequest, type InferResponse, type RequestedOutput, type Tensor } from '../../core/tensor.ts'
import type {
  InferInputTensorMessage,
  InferRequestedOutputTensorMessage,
  ModelInferRequestMessage,
  ModelInferResponseMessage,
} from './grpc-messages.ts'
import { decodeParameters, encodeParameters } from './grpc-parameters.ts'
import { decodeRawTensorData, encodeRawTensorData } from '../tensor-wire/raw-tensor-data.ts'
import { decodeTypedContents } from './grpc-typed-contents.ts'

/** What a ModelInferRequest asks: the model, the version (undefined: the server's choice) and the request. */
export interface DecodedModelInfer {
  readonly modelName: string
  readonly modelVersion: string | undefined
  readonly request: InferRequest
}

/** Decodes and checks a ModelInferRequest; throws InvalidArgumentError naming the tensor at fault. */
export function decodeModelInferRequest(message: ModelInferRequestMessage): DecodedModelInfer {
  const inputs = message.inputs ?? []
  const raw = message.raw_input_contents ?? []
  if (raw.length > 0 && raw.length !== inputs.length) {
    throw new InvalidArgumentError(
      `raw_input_contents has ${raw.length} entries but the request has ${inputs.length} inputs; when raw_input_contents is used it holds one entry per input, in the order of 'inputs'`,
    )
  }
  const names = new Set<string>()
  const tensors: Tensor[] = new Array(inputs.length)
  for (let i = 0; i < inputs.length; i++) {
    tensors[i] = decodeInput(inputs[i]!, i, raw.length > 0 ? raw[i]! : undefined, names)
  }
  const request: { -readonly [K in keyof InferRequest]: InferRequest[K] } = { inputs: tensors }
  // proto3 strings have no presence: '' is "not given".
  if (message.id) request.id = message.id
  const parameters = decodeParameters(message.parameters, 'request')
  if (parameters) request.parameters = parameters
  if (message.outputs && message.outputs.length > 0) request.outputs = decodeOutputs(message.outputs)
  return { modelName: message.model_name ?? '', modelVersion: message.model_version || undefined, request }
}

function decodeInput(input: InferInputTensorMessage, index: number, raw: Buffer | undefined, names: Set<string>): Tensor {
  const name = input.name
  if (!name) throw new InvalidArgumentError(`request input ${index} has no name`)
  if (names.has(name)) throw new InvalidArgumentError(`input '${name}' appears more than once in the request`)
  names.add(name)
  const datatype = input.datatype
  if (!isDatatype(datatype)) {
    throw new InvalidArgumentError(`input '${name}' has datatype '${datatype ?? ''}'; expected one of ${DATATYPES.join(', ')}`)
  }
  const shape = decodeShape(name, input.shape ?? [])
  const count = elementCount(shape)
  let data: Tensor['data']
  if (raw !== undefined) {
    if (input.contents !== undefined) {
      throw new InvalidArgumentError(`input '${name}': contents field must not be specified when using raw_input_contents`)
    }
    data = decodeRawTensorData(name, datatype, shape, count, raw, 'raw_input_contents')
  } else if (input.contents !== undefined) {
    data = decodeTypedContents(name, datatype, shape, count, input.contents)
  } else if (count === 0) {
    // An empty tensor: proto3 cannot tell empty contents from none.
    data = datatype === 'BYTES' ? [] : decodeRawTensorData(name, datatype, shape, 0, new Uint8Array(0), 'raw_input_contents')
  } else {
    throw new InvalidArgumentError(`input '${name}' has no contents and the request has no raw_input_contents; expected one of them`)
  }
  const parameters = decodeParameters(input.parameters, `input '${name}'`)
  return parameters ? { name, datatype, shape, data, parameters } : { name, datatype, shape, data }
}

function decodeShape(name: string, dims: readonly string[]): number[] {
  const shape = new Array<number>(dims.length)
  for (let i = 0; i < dims.length; i++) {
    const dim = Number(dims[i])
    if (!(Number.isSafeInteger(dim) && dim >= 0)) {
      throw new InvalidArgumentError(`input '${name}' has shape [${dims.join(', ')}]; expected non-negative dimensions`)
    }
    shape[i] = dim
  }
  return shape
}

function decodeOutputs(outputs: readonly InferRequestedOutputTensorMessage[]): RequestedOutput[] {
  const names = new Set<string>()
  return outputs.map((output, i): RequestedOutput => {
    const name = output.name
    if (!name) throw new InvalidArgumentError(`requested output ${i} has no name`)
    if (names.has(name)) throw new InvalidArgumentError(`output '${name}' is requested more than once`)
    names.add(name)
    const parameters = decodeParameters(output.parameters, `output '${name}'`)
    return parameters ? { name, parameters } : { name }
  })
}

/** Encodes a response with every output in raw_output_contents. */
export function encodeModelInferResponse(response: InferResponse): ModelInferResponseMessage {
  return {
    model_name: response.modelName,
    model_version: response.modelVersion,
    ...(response.id !== undefined ? { id: response.id } : {}),
    ...(response.parameters !== undefined ? { parameters: encodeParameters(response.parameters) } : {}),
    outputs: response.outputs.map((output) => ({
      name: output.name,
      datatype: output.datatype,
      shape: output.shape,
      ...(output.parameters !== undefined ? { parameters: encodeParameters(output.parameters) } : {}),
    })),
    raw_output_contents: response.outputs.map((output) => encodeRawTensorData(output.data)),
  }
}
