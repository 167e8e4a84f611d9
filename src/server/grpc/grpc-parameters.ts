/**
 * @module server/grpc/grpc-parameters
 * InferParameter maps <-> the neutral Parameters record. 64-bit integer parameters are
 * accepted while exact as a JavaScript number (|value| <= 2^53 - 1) and refused beyond.
 */
import { InvalidArgumentError } from '../../core/errors.ts'
import type { Parameters } from '../../core/tensor.ts'
import type { OutgoingInferParameter, ParameterMapMessage } from './grpc-messages.ts'

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
      case 'uint64_param':
        parameters[key] = exactInteger(parameter[parameter.parameter_choice] ?? '0', key, owner)
        break
      default:
        throw new InvalidArgumentError(`${owner} has parameter '${key}' with no value; set one of bool_param, int64_param, string_param, double_param, uint64_param`)
    }
  }
  return parameters
}

function exactInteger(text: string, key: string, owner: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(`${owner} has parameter '${key}' = ${text}, beyond the exactly representable range ±(2^53 - 1) that maas accepts`)
  }
  return value
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
