/**
 * @module nn/initializers
 * Keras weight initializers: parsing of their identifiers ('glorot_uniform', 'heNormal') and
 * serialised forms ({class_name, config}), and deterministic generation. VarianceScaling
 * follows Keras exactly: fans from the Keras kernel layout (receptive field × channels for
 * convolutions), truncated normals rescaled by 0.8796 so the standard deviation is right.
 */
import { ConfigReader, isConfigObject, toSnakeCase, type ConfigObject } from './config-reader.ts'
import { SeededRandom } from './random.ts'

export const INITIALIZER_CLASSES = [
  'Zeros', 'Ones', 'Constant', 'RandomUniform', 'RandomNormal', 'TruncatedNormal', 'VarianceScaling',
  'GlorotUniform', 'GlorotNormal', 'HeUniform', 'HeNormal', 'LecunUniform', 'LecunNormal',
] as const

export type InitializerClass = (typeof INITIALIZER_CLASSES)[number]

/** A validated initializer with every config value filled in (seed null: derived from the model seed). */
export interface Initializer {
  readonly className: InitializerClass
  readonly config: Readonly<Record<string, number | string | null>>
}

/** Keras' string identifiers (snake_case; camelCase TF.js names are snake-cased first). */
const IDENTIFIERS: Readonly<Record<string, InitializerClass>> = {
  zeros: 'Zeros', zero: 'Zeros', ones: 'Ones', one: 'Ones', constant: 'Constant',
  random_uniform: 'RandomUniform', uniform: 'RandomUniform', random_normal: 'RandomNormal', normal: 'RandomNormal',
  truncated_normal: 'TruncatedNormal', variance_scaling: 'VarianceScaling',
  glorot_uniform: 'GlorotUniform', glorot_normal: 'GlorotNormal', he_uniform: 'HeUniform', he_normal: 'HeNormal',
  lecun_uniform: 'LecunUniform', lecun_normal: 'LecunNormal',
}

/** Keras' (scale, mode, distribution) of the named VarianceScaling variants. */
const VARIANCE_SCALING: Partial<Record<InitializerClass, readonly [number, string, string]>> = {
  GlorotUniform: [1, 'fan_avg', 'uniform'],
  GlorotNormal: [1, 'fan_avg', 'truncated_normal'],
  HeUniform: [2, 'fan_in', 'uniform'],
  HeNormal: [2, 'fan_in', 'truncated_normal'],
  LecunUniform: [1, 'fan_in', 'uniform'],
  LecunNormal: [1, 'fan_in', 'truncated_normal'],
}

/** An initializer from a short identifier: `initializer('he_normal', {seed: 7})`. */
export function initializer(identifier: string, config: ConfigObject = {}): Initializer {
  return parseInitializer(new ConfigReader('initializer', { value: { class_name: identifier, config } }), 'value')
}

/** Reads `key` of `reader` as an initializer; absent → `fallback` (a Keras identifier). */
export function parseInitializer(reader: ConfigReader, key: string, fallback = 'glorot_uniform'): Initializer {
  const value = reader.raw(key) ?? fallback
  const expected = `an initializer name (${Object.keys(IDENTIFIERS).join(', ')}) or {class_name, config}`
  let name: unknown = value
  let config: unknown = {}
  if (isConfigObject(value)) {
    name = value.class_name
    config = value.config ?? {}
  }
  if (typeof name !== 'string' || !isConfigObject(config)) reader.fail(key, expected, value)
  const className = (INITIALIZER_CLASSES as readonly string[]).includes(name) ? (name as InitializerClass) : IDENTIFIERS[toSnakeCase(name)]
  if (!className) reader.fail(key, expected, value)
  return { className, config: readConfig(new ConfigReader(`${reader.path} ${key} (${className})`, config), className) }
}

function readConfig(reader: ConfigReader, className: InitializerClass): Record<string, number | string | null> {
  const seed = (): number | null => {
    const value = reader.raw('seed')
    if (value === undefined || value === null) return null
    if (!Number.isInteger(value) || (value as number) < 0) reader.fail('seed', 'a non-negative integer or null')
    return value as number
  }
  let config: Record<string, number | string | null>
  switch (className) {
    case 'Zeros':
    case 'Ones':
      config = {}
      break
    case 'Constant':
      config = { value: reader.number('value', 0) }
      break
    case 'RandomUniform': {
      const minval = reader.number('minval', -0.05)
      config = { minval, maxval: reader.number('maxval', 0.05, { min: minval, minExclusive: true }), seed: seed() }
      break
    }
    case 'RandomNormal':
    case 'TruncatedNormal':
      config = { mean: reader.number('mean', 0), stddev: reader.number('stddev', 0.05, { min: 0, minExclusive: true }), seed: seed() }
      break
    case 'VarianceScaling':
      config = {
        scale: reader.number('scale', 1, { min: 0, minExclusive: true }),
        mode: reader.oneOf('mode', ['fan_in', 'fan_out', 'fan_avg'], 'fan_in'),
        distribution: reader.oneOf('distribution', ['truncated_normal', 'untruncated_normal', 'uniform', 'normal'], 'truncated_normal'),
        seed: seed(),
      }
      break
    default:
      config = { seed: seed() }
  }
  reader.finish()
  return config
}

/** The Keras serialised form. */
export function serializeInitializer(init: Initializer): { class_name: string; config: Record<string, number | string | null> } {
  return { class_name: init.className, config: { ...init.config } }
}

/** Keras' fans of a weight given in Keras layout: kernels [..receptive field.., in, out]. */
export function computeFans(kerasShape: readonly number[]): { fanIn: number; fanOut: number } {
  if (kerasShape.length === 0) return { fanIn: 1, fanOut: 1 }
  if (kerasShape.length === 1) return { fanIn: kerasShape[0]!, fanOut: kerasShape[0]! }
  const receptive = kerasShape.slice(0, -2).reduce((product, dim) => product * dim, 1)
  return { fanIn: kerasShape.at(-2)! * receptive, fanOut: kerasShape.at(-1)! * receptive }
}

/** Values of `init` for a weight of `count` elements whose Keras-layout shape is `kerasShape`. */
export function generateWeights(init: Initializer, count: number, kerasShape: readonly number[], fallbackSeed: number): Float32Array {
  const values = new Float32Array(count)
  const config = init.config
  const random = new SeededRandom(typeof config.seed === 'number' ? config.seed : fallbackSeed)
  const num = (key: string): number => config[key] as number
  switch (init.className) {
    case 'Zeros':
      return values
    case 'Ones':
      return values.fill(1)
    case 'Constant':
      return values.fill(num('value'))
    case 'RandomUniform':
      for (let index = 0; index < count; index++) values[index] = num('minval') + (num('maxval') - num('minval')) * random.next()
      return values
    case 'RandomNormal':
      for (let index = 0; index < count; index++) values[index] = num('mean') + num('stddev') * random.normal()
      return values
    case 'TruncatedNormal':
      for (let index = 0; index < count; index++) values[index] = num('mean') + num('stddev') * random.truncatedNormal()
      return values
  }
  const [scale, mode, distribution] = VARIANCE_SCALING[init.className] ?? [num('scale'), config.mode as string, config.distribution as string]
  const { fanIn, fanOut } = computeFans(kerasShape)
  const fan = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2
  const variance = scale / Math.max(1, fan)
  if (distribution === 'uniform') {
    const limit = Math.sqrt(3 * variance)
    for (let index = 0; index < count; index++) values[index] = limit * (2 * random.next() - 1)
  } else if (distribution === 'untruncated_normal') {
    const stddev = Math.sqrt(variance)
    for (let index = 0; index < count; index++) values[index] = stddev * random.normal()
  } else {
    // A normal truncated at ±2σ has standard deviation 0.8796σ; Keras divides it out.
    const stddev = Math.sqrt(variance) / 0.87962566103423978
    for (let index = 0; index < count; index++) values[index] = stddev * random.truncatedNormal()
  }
  return values
}

