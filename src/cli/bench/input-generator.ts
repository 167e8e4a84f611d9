/**
 * @module cli/bench/input-generator
 * Random request data from a model's metadata, like perf_analyzer's: a leading -1 takes
 * the batch size, other dynamic dimensions come from --shape. Datatype-aware: floats
 * uniform in [0, 1), integers small (0..99, fits every integer type), FP16 as raw half
 * bits, BOOL 0/1, BYTES short ASCII strings. Each input carries its JSON values and its
 * raw little-endian bytes (BYTES length-prefixed), so every protocol sends the same data.
 */
import { TYPED_ARRAY_OF, isDatatype, type Datatype } from '../../core/datatypes.ts'
import { fromFloat16Bits, toFloat16Bits } from '../../core/float16.ts'
import { BenchSetupError } from './bench-setup-error.ts'

/** An input as the model metadata describes it (-1 for a dynamic dimension). */
export interface TensorMetadata {
  readonly name: string
  readonly datatype: string
  readonly shape: readonly number[]
}

/** One generated input tensor, ready for any protocol. */
export interface GeneratedInput {
  readonly name: string
  readonly datatype: Datatype
  readonly shape: readonly number[]
  /** The KServe v2 JSON `data` (flat, row-major). */
  readonly json: readonly (number | boolean | string)[]
  /** The binary extension / raw_input_contents bytes. */
  readonly raw: Buffer
}

/** Resolves an input's concrete shape; throws BenchSetupError when it cannot. */
export function resolveShape(input: TensorMetadata, batchSize: number, given: readonly number[] | undefined): number[] {
  const { name, shape } = input
  if (given) {
    const full = given.length === shape.length ? [...given] : given.length === shape.length - 1 && shape[0] === -1 ? [batchSize, ...given] : undefined
    if (!full) throw new BenchSetupError(`--shape ${name}: ${given.length} dimensions given, but the model's shape [${shape.join(', ')}] has ${shape.length}`)
    full.forEach((dimension, axis) => {
      if (shape[axis] !== -1 && shape[axis] !== dimension) {
        throw new BenchSetupError(`--shape ${name}: dimension ${axis} is ${dimension}, but the model fixes it at ${shape[axis]} ([${shape.join(', ')}])`)
      }
    })
    return full
  }
  return shape.map((dimension, axis) => {
    if (dimension >= 0) return dimension
    if (axis === 0) return batchSize
    throw new BenchSetupError(`input '${name}' has a dynamic dimension ${axis} in [${shape.join(', ')}]; give its shape with --shape ${name}:D1,D2,...`)
  })
}

/** Generates every input of the model; `random` returns [0, 1) (injectable for tests). */
export function generateInputs(
  inputs: readonly TensorMetadata[],
  options: { readonly batchSize: number; readonly shapes: ReadonlyMap<string, readonly number[]> },
  random: () => number = Math.random,
): GeneratedInput[] {
  const unknown = [...options.shapes.keys()].filter((name) => !inputs.some((input) => input.name === name))
  if (unknown.length > 0) throw new BenchSetupError(`--shape names no input of the model: ${unknown.join(', ')} (inputs: ${inputs.map((input) => input.name).join(', ')})`)
  return inputs.map((input) => {
    if (!isDatatype(input.datatype)) throw new BenchSetupError(`input '${input.name}' has datatype ${input.datatype}, which maas bench cannot generate`)
    const shape = resolveShape(input, options.batchSize, options.shapes.get(input.name))
    const count = shape.reduce((product, dimension) => product * dimension, 1)
    return { name: input.name, datatype: input.datatype, shape, ...randomTensor(input.datatype, count, random) }
  })
}

/** `count` random elements of `datatype`, as JSON values and as raw bytes. */
export function randomTensor(datatype: Datatype, count: number, random: () => number): { json: (number | boolean | string)[]; raw: Buffer } {
  if (datatype === 'BYTES') {
    const strings = Array.from({ length: count }, () => randomString(random))
    return { json: strings, raw: encodeByteStrings(strings) }
  }
  const typed = new TYPED_ARRAY_OF[datatype](count)
  const json: (number | boolean)[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const value = randomValue(datatype, random)
    if (typed instanceof BigInt64Array || typed instanceof BigUint64Array) typed[i] = BigInt(value)
    else typed[i] = datatype === 'FP16' ? toFloat16Bits(value) : value
    json[i] = datatype === 'BOOL' ? value === 1 : datatype === 'FP16' ? fromFloat16Bits(typed[i] as number) : datatype === 'FP32' ? (typed[i] as number) : value
  }
  return { json, raw: Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength) }
}

function randomValue(datatype: Exclude<Datatype, 'BYTES'>, random: () => number): number {
  switch (datatype) {
    case 'FP16':
    case 'FP32':
    case 'FP64':
      return random()
    case 'BOOL':
      return random() < 0.5 ? 0 : 1
    default:
      return Math.floor(random() * 100)
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** 1 to 8 characters of [a-z0-9]. */
function randomString(random: () => number): string {
  const length = 1 + Math.floor(random() * 8)
  let text = ''
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(random() * ALPHABET.length)]
  return text
}

/** Triton's BYTES wire layout: a 4-byte little-endian length before each element. */
export function encodeByteStrings(strings: readonly string[]): Buffer {
  const elements = strings.map((text) => Buffer.from(text, 'utf8'))
  const out = Buffer.alloc(elements.reduce((total, element) => total + 4 + element.length, 0))
  let offset = 0
  for (const element of elements) {
    out.writeUInt32LE(element.length, offset)
    element.copy(out, offset + 4)
    offset += 4 + element.length
  }
  return out
}
