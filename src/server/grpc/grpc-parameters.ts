/**
 * @module server/grpc/grpc-parameters
 * InferParameter maps <-> the neutral Parameters record. 64-bit integer parameters become
 * numbers while exact as a JavaScript number (|value| <= 2^53 - 1) and exact decimal
 * strings beyond, so that a client's random 64-bit correlation id or sequence_id passes
 * unchanged. The request's scheduling parameters (priority, timeout) become the nearest
 * number instead, as REST reads such JSON numbers; other parameters maas interprets
 * (classification) refuse a string with a message naming them.
 */
import { InvalidArgumentError } from '../../core/errors.ts'
import type { Parameters } from '../../core/tensor.ts'
import type { OutgoingInferParameter, ParameterMapMessage } from './grpc-messages.ts'

/** Triton's request parameters that the scheduler reads as numbers. */
const SCHEDULING_PARAMETERS = new Set(['priority', 'timeout'])

/** Reads a parameter map; `owner` names its place in the request for messages. Empty maps give undefined. */
export function decodeParameters(map: ParameterMapMessage | undefined, owner: string): Parameters | undefined {
  if (map === undefined) return undefined
  const keys = Object.keys(map)
  if (keys.length === 0) return undefined
  const parameters: Parameters = {}
  for (const key of keys) {
    const parameter = map[key]!
    switch (parameter.parameter_choice) {
      case 'bool_param':
        parameters[key] = parameter.bool_param ?? false
        break
      case 'string_param':
        parameters[key] = parameter.string_param ?? ''
        break
      case 'double_param':
        parameters[key] = parameter.double_param ?? 0
        break
      case 'int64_param':
      case 'uint64_param': {
        const text = parameter[parameter.parameter_choice] ?? '0'
        parameters[key] = SCHEDULING_PARAMETERS.has(key) ? Number(text) : exactInteger(text)
        break
      }
      default:
        throw new InvalidArgumentError(`${owner} has parameter '${key}' with no value; set one of bool_param, int64_param, string_param, double_param, uint64_param`)
    }
  }
  return parameters
}

function exactInteger(text: string): number | string {
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : text
}

/** Writes Parameters as an InferParameter map: integers as int64_param, other numbers as double_param. */
export function encodeParameters(parameters: Parameters): Record<string, OutgoingInferParameter> {
  const map: Record<string, OutgoingInferParameter> = {}
  for (const [key, value] of Object.entries(parameters)) {
    if (typeof value === 'boolean') map[key] = { bool_param: value }
    else if (typeof value === 'string') map[key] = { string_param: value }
    else if (Number.isSafeInteger(value)) map[key] = { int64_param: value }
    else map[key] = { double_param: value }
  }
  return map
}
