/**
 * @module server/http/codecs/kserve-response-encoder
 * Encodes an InferResponse as a KServe v2 REST body: a JSON object, followed by Triton binary
 * tensor data for the outputs the request asked to receive in binary. The JSON text is built
 * by hand (see json-tensor-data-encoder); JSON.stringify is used only where escaping matters.
 */
import type { InferRequest, InferResponse, Tensor } from '../../../core/tensor.ts'
import { encodeRawTensorData } from '../../tensor-wire/raw-tensor-data.ts'
import { encodeJsonTensorData } from './json-tensor-data-encoder.ts'

/** An encoded response: the body and the headers that describe it (Content-Length is the caller's). */
export interface EncodedInferResponse {
  readonly body: Buffer
  readonly headers: Record<string, string>
}

/** Encodes `response`; `request` says which outputs go as binary data and supplies the id. */
export function encodeInferResponse(response: InferResponse, request: InferRequest): EncodedInferResponse {
  let json = `{"model_name":${JSON.stringify(response.modelName)}`
  // Servers without versioning leave model_version out, says the spec; an empty one means that.
  if (response.modelVersion !== '') json += `,"model_version":${JSON.stringify(response.modelVersion)}`
  if (request.id !== undefined) json += `,"id":${JSON.stringify(response.id ?? request.id)}`
  if (response.parameters !== undefined) json += `,"parameters":${JSON.stringify(response.parameters)}`
  json += ',"outputs":['
  const chunks: Uint8Array[] = []
  let binaryLength = 0
  for (let i = 0; i < response.outputs.length; i++) {
    const output = response.outputs[i]!
    if (i > 0) json += ','
    json += `{"name":${JSON.stringify(output.name)},"shape":[${output.shape.join(',')}],"datatype":"${output.datatype}"`
    if (isBinaryOutput(output, request)) {
      const bytes = encodeRawTensorData(output.data)
      chunks.push(bytes)
      binaryLength += bytes.byteLength
      json += `,"parameters":${JSON.stringify({ ...output.parameters, binary_data_size: bytes.byteLength })}}`
    } else {
      if (output.parameters !== undefined) json += `,"parameters":${JSON.stringify(output.parameters)}`
      json += `,"data":${encodeJsonTensorData(output.datatype, output.data)}}`
    }
  }
  json += ']}'
  if (chunks.length === 0) {
    return { body: Buffer.from(json, 'utf8'), headers: { 'Content-Type': 'application/json' } }
  }
  const header = Buffer.from(json, 'utf8')
  return {
    body: Buffer.concat([header, ...chunks], header.length + binaryLength),
    headers: {
      'Content-Type': 'application/octet-stream',
      'Inference-Header-Content-Length': String(header.length),
    },
  }
}

/**
 * An output goes as binary when its requested-output entry says binary_data: true, or when
 * the request says binary_data_output: true and the entry does not say binary_data: false.
 */
function isBinaryOutput(output: Tensor, request: InferRequest): boolean {
  let own: unknown
  if (request.outputs !== undefined) {
    for (const requested of request.outputs) {
      if (requested.name === output.name) {
        own = requested.parameters?.binary_data
        break
      }
    }
  }
  if (own === true) return true
  return request.parameters?.binary_data_output === true && own !== false
}
