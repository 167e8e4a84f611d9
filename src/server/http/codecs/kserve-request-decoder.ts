/**
 * @module server/http/codecs/kserve-request-decoder
 * Decodes a KServe v2 REST infer request body into the transport-neutral InferRequest:
 * plain JSON, JSON followed by Triton binary tensor data, or a raw binary request (the body
 * is the data of the model's only input). Every malformed part is an InvalidArgumentError
 * whose message names the tensor and what was expected.
 */
import { DATATYPES, TYPED_ARRAY_OF, isDatatype, type Datatype } from '../../../core/datatypes.ts'
import { InvalidArgumentError } from '../../../core/errors.ts'
import { elementCount, type InferRequest, type Parameters, type RequestedOutput, type Tensor } from '../../../core/tensor.ts'
import { decodeRawTensorData } from '../../tensor-wire/raw-tensor-data.ts'
import { parseJsonWithFlatData, resolveFlatNumbers, type FlatNumbers } from './json-flat-data-scanner.ts'
import { decodeJsonTensorData, describeType, MAX_DATA_NESTING } from './json-tensor-data-decoder.ts'
// The TF-Serving parser keeps integer literals beyond 2^53 exact (as BigInts); JSON.parse cannot.
import { parseTfServingJson, type JsonValue } from '../tfserving/tfserving-json-parser.ts'

/** What the decoder needs to know of a model input for a raw binary request (TensorSpec fits). */
export interface TensorSpecLike {
  readonly name: string
  readonly datatype: Datatype
  /** -1 for a dimension that varies per request. */
  readonly shape: readonly number[]
  /** True when the model does not declare the rank; a raw input is then given shape [count]. */
  readonly rankUnknown?: boolean
}

type JsonObject = Record<string, unknown>

/**
 * Decodes a request body. `headerLength` is the Inference-Header-Content-Length header:
 * undefined means the whole body is JSON, 0 a raw binary request for `rawInput`, and n > 0
 * that the first n bytes are JSON and the rest binary tensor data.
 */
export function decodeInferRequest(body: Buffer, headerLength: number | undefined, rawInput?: TensorSpecLike): InferRequest {
  if (headerLength === 0) return decodeRawRequest(body, rawInput)
  if (headerLength !== undefined && !(Number.isSafeInteger(headerLength) && headerLength > 0 && headerLength <= body.length)) {
    throw new InvalidArgumentError(
      `Inference-Header-Content-Length is ${headerLength}; expected an integer from 0 to the body length (${body.length})`,
    )
  }
  const scanned = parseJsonWithFlatData(body, headerLength ?? body.length)
  const header = scanned ? checkJsonObject(scanned.header) : parseJsonHeader(body, headerLength ?? body.length)
  const binary = headerLength === undefined ? undefined : body.subarray(headerLength)

  const request: { -readonly [K in keyof InferRequest]: InferRequest[K] } = { inputs: [] }
  const id = header.id
  if (id !== undefined && id !== null) {
    if (typeof id !== 'string') throw new InvalidArgumentError(`request 'id' is of type ${describeType(id)}; expected a string`)
    request.id = id
  }
  const parameters = readParameters(header.parameters, 'request')
  if (parameters) {
    checkOptionalBoolean(parameters, 'binary_data_output', 'request')
    request.parameters = parameters
  }
  request.inputs = readInputs(header.inputs, binary, scanned?.flatData, body)
  const outputs = readOutputs(header.outputs)
  if (outputs) request.outputs = outputs
  return request
}

function parseJsonHeader(body: Buffer, end: number): JsonObject {
  let header: unknown
  try {
    header = JSON.parse(body.toString('utf8', 0, end))
  } catch (error) {
    throw new InvalidArgumentError(`request body is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  return checkJsonObject(header)
}

function checkJsonObject(header: unknown): JsonObject {
  if (!isJsonObject(header)) {
    throw new InvalidArgumentError(`request body is a JSON ${describeType(header)}; expected an inference request object`)
  }
  return header
}

/** `flatData`: the inputs whose `data` the fast path read from `body` (their `data` in `value` is a placeholder). */
function readInputs(value: unknown, binary: Buffer | undefined, flatData: ReadonlyMap<number, FlatNumbers> | undefined, body: Buffer): Tensor[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      value === undefined ? `request has no 'inputs'; expected an array of input tensors` : `request 'inputs' is of type ${describeType(value)}; expected an array`,
    )
  }
  const inputs: Tensor[] = new Array(value.length)
  const names = new Set<string>()
  let offset = 0
  let exactInputs: JsonValue[] | undefined
  for (let i = 0; i < value.length; i++) {
    const input: unknown = value[i]
    if (!isJsonObject(input)) throw new InvalidArgumentError(`request input ${i} is of type ${describeType(input)}; expected an object`)
    const name = input.name
    if (typeof name !== 'string') throw new InvalidArgumentError(`request input ${i} has no string 'name'`)
    if (names.has(name)) throw new InvalidArgumentError(`input '${name}' appears more than once in the request`)
    names.add(name)
    const datatype = input.datatype
    if (!isDatatype(datatype)) {
      throw new InvalidArgumentError(
        `input '${name}' has datatype ${JSON.stringify(datatype) ?? 'undefined'}; expected one of ${DATATYPES.join(', ')}`,
      )
    }
    const shape = readShape(name, input.shape)
    const count = elementCount(shape)
    const parameters = readParameters(input.parameters, `input '${name}'`)
    const binarySize = parameters?.binary_data_size
    let tensor: Tensor
    if (binarySize === undefined) {
      if (input.data === undefined) {
        throw new InvalidArgumentError(`input '${name}' has no 'data' and no 'parameters.binary_data_size'; expected one of them`)
      }
      const flat = flatData?.get(i)
      let values: unknown = flat ? resolveFlatNumbers(flat, datatype, body) : input.data
      // INT64/UINT64 given as JSON numbers past 2^53 were rounded by the parse: read them again,
      // exactly (the body is parsed again once per request, however many inputs need it).
      if ((datatype === 'INT64' || datatype === 'UINT64') && holdsUnsafeInteger(values)) {
        exactInputs ??= parseExactInputs(body, binary === undefined ? body.length : body.length - binary.length)
        values = (exactInputs[i] as Map<string, JsonValue>).get('data')
      }
      const data = decodeJsonTensorData(name, datatype, shape, count, values)
      tensor = parameters ? { name, datatype, shape, data, parameters } : { name, datatype, shape, data }
    } else {
      if (typeof binarySize !== 'number' || !Number.isSafeInteger(binarySize) || binarySize < 0) {
        throw new InvalidArgumentError(`input '${name}' has binary_data_size ${JSON.stringify(binarySize)}; expected a non-negative integer`)
      }
      if (input.data !== undefined) {
        throw new InvalidArgumentError(`input '${name}' has both 'data' and 'parameters.binary_data_size'; expected only one`)
      }
      if (binary === undefined) {
        throw new InvalidArgumentError(
          `input '${name}' has binary_data_size but the request has no Inference-Header-Content-Length header to separate JSON from binary data`,
        )
      }
      if (offset + binarySize > binary.length) {
        throw new InvalidArgumentError(
          `input '${name}' has binary_data_size ${binarySize} but only ${binary.length - offset} bytes of binary data remain`,
        )
      }
      const data = decodeRawTensorData(name, datatype, shape, count, binary.subarray(offset, offset + binarySize), 'binary data')
      offset += binarySize
      const rest = withoutBinaryDataSize(parameters!)
      tensor = rest ? { name, datatype, shape, data, parameters: rest } : { name, datatype, shape, data }
    }
    inputs[i] = tensor
  }
  if (binary !== undefined && offset !== binary.length) {
    throw new InvalidArgumentError(
      `request has ${binary.length - offset} bytes of binary data after the last binary input; the binary_data_size values add up to ${offset}`,
    )
  }
  return inputs
}

/**
 * Whether `data` (nested arrays or scanned numbers) holds a number beyond ±(2^53 - 1), which a
 * double may have rounded. Past MAX_DATA_NESTING it stops looking: decoding refuses such data.
 */
function holdsUnsafeInteger(data: unknown, depth = 0): boolean {
  if (typeof data === 'number') return Math.abs(data) > Number.MAX_SAFE_INTEGER
  if ((data instanceof Float64Array || Array.isArray(data)) && depth <= MAX_DATA_NESTING) {
    for (let i = 0; i < data.length; i++) if (holdsUnsafeInteger(data[i], depth + 1)) return true
  }
  return false
}

/** `inputs` of the JSON text `body[0, end)`, parsed with integers kept exact (BigInts beyond 2^53). */
function parseExactInputs(body: Buffer, end: number): JsonValue[] {
  const document = parseTfServingJson(body.toString('utf8', 0, end)) as Map<string, JsonValue>
  return document.get('inputs') as JsonValue[]
}

/** The input's parameters other than binary_data_size; undefined when there are none (the usual case). */
function withoutBinaryDataSize(parameters: Parameters): Parameters | undefined {
  let rest: Record<string, Parameters[string]> | undefined
  for (const key in parameters) {
    if (key === 'binary_data_size') continue
    if (key === '__proto__') {
      // An own "__proto__" key (JSON.parse makes one) must stay a plain property.
      const { binary_data_size: _, ...copy } = parameters
      return copy
    }
    ;(rest ??= {})[key] = parameters[key]!
  }
  return rest
}

function readShape(name: string, value: unknown): number[] {
  if (Array.isArray(value)) {
    let valid = true
    for (const dim of value) if (!(typeof dim === 'number' && Number.isSafeInteger(dim) && dim >= 0)) valid = false
    if (valid) return value as number[]
  }
  throw new InvalidArgumentError(
    `input '${name}' has shape ${JSON.stringify(value) ?? 'undefined'}; expected an array of non-negative integers`,
  )
}

function readOutputs(value: unknown): RequestedOutput[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) throw new InvalidArgumentError(`request 'outputs' is of type ${describeType(value)}; expected an array`)
  const names = new Set<string>()
  return value.map((output: unknown, i): RequestedOutput => {
    if (!isJsonObject(output) || typeof output.name !== 'string') {
      throw new InvalidArgumentError(`requested output ${i} is not an object with a string 'name'`)
    }
    const name = output.name
    if (names.has(name)) throw new InvalidArgumentError(`output '${name}' is requested more than once`)
    names.add(name)
    const parameters = readParameters(output.parameters, `output '${name}'`)
    if (!parameters) return { name }
    checkOptionalBoolean(parameters, 'binary_data', `output '${name}'`)
    return { name, parameters }
  })
}

/** Parameters are a flat object of string, number and boolean values; null counts as absent. */
function readParameters(value: unknown, owner: string): Parameters | undefined {
  if (value === undefined || value === null) return undefined
  if (!isJsonObject(value)) throw new InvalidArgumentError(`${owner} has 'parameters' of type ${describeType(value)}; expected an object`)
  for (const key in value) {
    const type = typeof value[key]
    if (type !== 'string' && type !== 'number' && type !== 'boolean') {
      throw new InvalidArgumentError(`${owner} has parameter '${key}' of type ${describeType(value[key])}; expected a string, number or boolean`)
    }
  }
  return value as Parameters
}

function checkOptionalBoolean(parameters: Parameters, key: string, owner: string): void {
  const value = parameters[key]
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidArgumentError(`${owner} has parameter '${key}' ${JSON.stringify(value)}; expected true or false`)
  }
}

/**
 * The whole body is the data of the model's single input. Its shape is the model's, with the
 * one variable dimension (if any) deduced from the byte size; a BYTES input takes the whole
 * body as one element, shape [1]. Every output is then returned as binary data.
 */
function decodeRawRequest(body: Buffer, spec: TensorSpecLike | undefined): InferRequest {
  if (spec === undefined) {
    throw new InvalidArgumentError(
      'Inference-Header-Content-Length is 0 (raw binary request) but the model does not have exactly one input; send a JSON inference header',
    )
  }
  const { name, datatype } = spec
  let data: Tensor['data']
  let shape: number[]
  if (datatype === 'BYTES') {
    shape = [1]
    data = [new Uint8Array(body.buffer, body.byteOffset, body.length)]
  } else {
    const size = TYPED_ARRAY_OF[datatype].BYTES_PER_ELEMENT
    if (body.length % size !== 0) {
      throw new InvalidArgumentError(
        `input '${name}' of ${datatype} got a raw binary body of ${body.length} bytes; expected a multiple of ${size}`,
      )
    }
    shape = deduceRawShape(spec, body.length / size)
    data = decodeRawTensorData(name, datatype, shape, body.length / size, body, 'binary data')
  }
  return { inputs: [{ name, datatype, shape, data }], parameters: { binary_data_output: true } }
}

function deduceRawShape(spec: TensorSpecLike, count: number): number[] {
  const { name, datatype } = spec
  if (spec.rankUnknown) return [count]
  const modelShape = `[${spec.shape.join(', ')}]`
  let variable = -1
  let known = 1
  spec.shape.forEach((dim, i) => {
    if (dim >= 0) known *= dim
    else if (variable === -1) variable = i
    else throw new InvalidArgumentError(`input '${name}' has shape ${modelShape} with more than one variable dimension; a raw binary request can fill at most one`)
  })
  const fits = variable === -1 ? known === count : known === 0 ? count === 0 : count % known === 0
  if (!fits) {
    throw new InvalidArgumentError(`input '${name}' of ${datatype} got ${count} elements in a raw binary request, which do not fit shape ${modelShape}`)
  }
  const shape = [...spec.shape]
  if (variable !== -1) shape[variable] = known === 0 ? 0 : count / known
  return shape
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
