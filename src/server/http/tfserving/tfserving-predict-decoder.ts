/**
 * @module server/http/tfserving/tfserving-predict-decoder
 * Decodes the body of TF-Serving's REST `:predict` request (api_rest.md, "Predict API") into a
 * transport-neutral InferRequest: row format ("instances", one entry per batch row) or
 * columnar format ("inputs", whole tensors). Shapes come from the nested lists, datatypes
 * from the model's signature. Every problem is an InvalidArgumentError a client can act on.
 */
import { InvalidArgumentError } from '../../../core/errors.ts'
import type { InferRequest, Tensor } from '../../../core/tensor.ts'
import type { ModelSignature, TensorSpec } from '../../../onnx/onnx-signature.ts'
import { isBase64Object, parseTfServingJson, type JsonObject, type JsonValue } from './tfserving-json-parser.ts'
import { flattenJsonTensor, formatShape } from './tfserving-json-shape.ts'
import { describeJson, toTensorData } from './tfserving-json-values.ts'

/** Which request format was used; the response is written in the same one. */
export type PredictFormat = 'row' | 'columnar'

/** The one signature an ONNX model has, under TF-Serving's default name. */
export const DEFAULT_SIGNATURE_NAME = 'serving_default'

/** Decodes a `:predict` body against the model's signature. Outputs are left unset: TF-Serving returns all. */
export function decodePredictRequest(body: Buffer, signature: ModelSignature): { request: InferRequest; format: PredictFormat } {
  const document = parseTfServingJson(decodeUtf8(body))
  if (!(document instanceof Map)) throw new InvalidArgumentError(`JSON value ${describeJson(document)} is not an object; the request body must be a JSON object`)
  checkSignatureName(document.get('signature_name'))
  const hasInstances = document.has('instances')
  const hasInputs = document.has('inputs')
  if (hasInstances && hasInputs) {
    throw new InvalidArgumentError("the request has both 'instances' and 'inputs'; use 'instances' for the row format or 'inputs' for the columnar format, not both")
  }
  if (hasInstances) return { request: { inputs: decodeInstances(document.get('instances')!, signature.inputs) }, format: 'row' }
  if (hasInputs) return { request: { inputs: decodeInputs(document.get('inputs')!, signature.inputs) }, format: 'columnar' }
  throw new InvalidArgumentError("missing 'inputs' or 'instances' key in the request")
}

export function decodeUtf8(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch (error) {
    throw new InvalidArgumentError('JSON Parse error: the request body is not valid UTF-8', { cause: error })
  }
}

/** Accepts no name, the default one, or one of `aliases` (e.g. 'tensorflow/serving/regress'). */
export function checkSignatureName(name: JsonValue | undefined, aliases: readonly string[] = []): void {
  if (name === undefined || name === '' || name === DEFAULT_SIGNATURE_NAME || aliases.includes(name as string)) return
  if (typeof name !== 'string') throw new InvalidArgumentError(`'signature_name' must be a string, not ${describeJson(name)}`)
  throw new InvalidArgumentError(`serving signature name '${name}' is not found; this model has only '${DEFAULT_SIGNATURE_NAME}'`)
}

/** Row format: one entry per batch row, stacked along a new dimension 0. */
export function decodeInstances(instances: JsonValue, specs: readonly TensorSpec[]): Tensor[] {
  if (!Array.isArray(instances)) throw new InvalidArgumentError(`'instances' must be a list, not ${describeJson(instances)}`)
  const first = instances[0]
  if (first === undefined) throw new InvalidArgumentError("'instances' is an empty list; send at least one instance")
  if (specs.length === 0) throw new InvalidArgumentError("the model has no inputs; send 'inputs': {} instead of 'instances'")
  const named = isNamedTensors(first)
  if (!named && specs.length > 1) {
    throw new InvalidArgumentError(
      `'instances' is a plain list, but the model has ${specs.length} inputs (${inputNames(specs)}); each instance must be an object keyed by input name`,
    )
  }
  const rows = new Map<string, { shape: readonly number[]; leaves: JsonValue[] }>()
  const addRow = (spec: TensorSpec, value: JsonValue, where: string, index: number): void => {
    const { shape, leaves } = flattenJsonTensor(spec.name, value, where)
    const seen = rows.get(spec.name)
    if (!seen) return void rows.set(spec.name, { shape, leaves })
    if (formatShape(shape) !== formatShape(seen.shape)) {
      throw new InvalidArgumentError(
        `input '${spec.name}': instances[${index}] has shape ${formatShape(shape)} but instances[0] has shape ${formatShape(seen.shape)}; every instance must have the same shape`,
      )
    }
    for (const leaf of leaves) seen.leaves.push(leaf)
  }
  instances.forEach((instance, index) => {
    const where = `instances[${index}]`
    if (isNamedTensors(instance) !== named) {
      throw new InvalidArgumentError(
        `${where} is ${describeJson(instance)} but instances[0] is ${describeJson(first)}; either every instance is an object keyed by input name or none is`,
      )
    }
    if (!named) return addRow(specs[0]!, instance, where, index)
    checkInputNames(instance as JsonObject, specs, where)
    for (const spec of specs) addRow(spec, (instance as JsonObject).get(spec.name)!, `${where}.${spec.name}`, index)
  })
  return specs.map((spec) => {
    const { shape: rowShape, leaves } = rows.get(spec.name)!
    const shape = [instances.length, ...rowShape]
    return { name: spec.name, datatype: spec.datatype, shape, data: toTensorData(spec.name, spec.datatype, shape, leaves) }
  })
}

/** Columnar format: each input given whole, with its own dimension 0. */
function decodeInputs(inputs: JsonValue, specs: readonly TensorSpec[]): Tensor[] {
  if (isNamedTensors(inputs)) {
    checkInputNames(inputs, specs, "'inputs'")
    return specs.map((spec) => decodeTensor(spec, inputs.get(spec.name)!, `inputs.${spec.name}`))
  }
  if (specs.length !== 1) {
    throw new InvalidArgumentError(
      `'inputs' is a plain value or list, but the model has ${specs.length} inputs (${inputNames(specs)}); 'inputs' must be an object keyed by input name`,
    )
  }
  return [decodeTensor(specs[0]!, inputs, 'inputs')]
}

function decodeTensor(spec: TensorSpec, value: JsonValue, where: string): Tensor {
  const { shape, leaves } = flattenJsonTensor(spec.name, value, where)
  return { name: spec.name, datatype: spec.datatype, shape, data: toTensorData(spec.name, spec.datatype, shape, leaves) }
}

/** An object of named tensors, as opposed to a tensor value ({"b64": ...} is a value). */
function isNamedTensors(value: JsonValue): value is JsonObject {
  return value instanceof Map && !isBase64Object(value)
}

function checkInputNames(object: JsonObject, specs: readonly TensorSpec[], where: string): void {
  const expected = new Set(specs.map((spec) => spec.name))
  for (const key of object.keys()) {
    if (!expected.has(key)) throw new InvalidArgumentError(`${where} has unknown input '${key}'; the model's inputs are: ${inputNames(specs)}`)
  }
  for (const spec of specs) {
    if (!object.has(spec.name)) throw new InvalidArgumentError(`${where} is missing input '${spec.name}'; the model's inputs are: ${inputNames(specs)}`)
  }
}

function inputNames(specs: readonly TensorSpec[]): string {
  return specs.map((spec) => `'${spec.name}'`).join(', ')
}
