/**
 * Imports real TF.js layers models: each is built and given random weights in
 * @tensorflow/tfjs (cpu backend), saved with tf.io.withSaveHandler, written to a folder as
 * model.json + .bin shards the way tfjs' file savers and the tensorflowjs converter do, and
 * imported; maas' exported ONNX model run by onnxruntime-node must then match TF.js' predict.
 * Weight decoding (float16, uint8/uint16, int32) is checked against tfjs-core's own
 * tf.io.decodeWeights.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../core/errors.ts'
import { exportInferenceModel } from './inference-export.ts'
import type { Model } from './model.ts'
import { runOnnx, testValues } from './nn-testing.ts'
import { loadTfjsLayersModel, modelFromTfjsArtifacts, modelFromTfjsModelJson } from './tfjs-layers-model.ts'
import { decodeTfjsWeights } from './tfjs-weights.ts'

type Artifacts = tf.io.ModelArtifacts & { weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer }
/** A manifest entry as a file may hold it: any dtype, any quantization. */
type ManifestEntry = Omit<tf.io.WeightsManifestEntry, 'dtype' | 'quantization'> & { dtype: string; quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string } }
const asTfjsSpecs = (specs: readonly ManifestEntry[]) => specs as unknown as tf.io.WeightsManifestEntry[]

const folders: string[] = []

before(async () => {
  await tf.setBackend('cpu')
  await tf.ready()
})

after(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
})

/** The artifacts `model.save()` hands to a save handler. */
async function saveArtifacts(model: tf.LayersModel): Promise<Artifacts> {
  let saved: tf.io.ModelArtifacts | undefined
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
  }))
  const weightData = saved!.weightData
  return { ...saved!, weightSpecs: saved!.weightSpecs!, weightData: Array.isArray(weightData) ? tf.io.CompositeArrayBuffer.join(weightData) : (weightData as ArrayBuffer) }
}

/**
 * Writes model.json and the weight bytes cut at `cuts` into group1-shardKofN.bin files, as
 * the tfjs savers do; returns model.json's path.
 */
async function writeModelFolder(artifacts: Artifacts, options: { cuts?: readonly number[]; weightSpecs?: readonly ManifestEntry[]; weightData?: Uint8Array } = {}): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'maas-tfjs-'))
  folders.push(folder)
  const bytes = options.weightData ?? new Uint8Array(artifacts.weightData)
  const bounds = [0, ...(options.cuts ?? []), bytes.length]
  const paths = bounds.slice(1).map((_, index) => `group1-shard${index + 1}of${bounds.length - 1}.bin`)
  for (const [index, name] of paths.entries()) await writeFile(path.join(folder, name), bytes.subarray(bounds[index], bounds[index + 1]))
  const manifest = [{ paths, weights: asTfjsSpecs(options.weightSpecs ?? artifacts.weightSpecs) }]
  // The fields tfjs-core's getModelJSONForModelArtifacts (used by its savers) writes.
  const { modelTopology, format, generatedBy, convertedBy } = artifacts
  await writeFile(path.join(folder, 'model.json'), JSON.stringify({ modelTopology, format, generatedBy, convertedBy, weightsManifest: manifest }))
  return path.join(folder, 'model.json')
}

/** Gives every TF.js weight seeded uniform values (BatchNormalization variances positive). */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  model.setWeights(model.weights.map((weight, index) => {
    const [low, high] = weight.originalName.endsWith('moving_variance') ? [0.5, 1.5] : [-0.8, 0.8]
    return tf.randomUniform(weight.shape as number[], low, high, 'float32', seed + index)
  }))
}

/** maas' exported ONNX output and TF.js' predict on the same random batch. */
async function predictBoth(imported: Model, reference: tf.LayersModel, batch: number, seed = 7, integers = 0): Promise<{ maas: Float32Array; tfjs: Float32Array }> {
  const sampleShape = reference.inputs[0]!.shape.slice(1) as number[]
  const size = batch * sampleShape.reduce((product, dim) => product * dim, 1)
  const x = integers > 0 ? Float32Array.from(testValues(size, seed), (value) => Math.floor(((value + 1) / 2) * integers)) : testValues(size, seed)
  const outputs = await runOnnx(exportInferenceModel(imported), { [imported.inputs[0]!.call.layer.name]: { shape: [batch, ...sampleShape], data: x } })
  const expected = tf.tidy(() => (reference.predict(tf.tensor(x, [batch, ...sampleShape])) as tf.Tensor).dataSync() as Float32Array)
  return { maas: outputs[imported.outputs[0]!.call.layer.name]!.data, tfjs: expected }
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length)
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

async function assertSamePredictions(imported: Model, reference: tf.LayersModel, integers = 0): Promise<void> {
  const { maas, tfjs } = await predictBoth(imported, reference, 4, 7, integers)
  const difference = maxDifference(maas, tfjs)
  assert.ok(difference <= 1e-5, `maas and TF.js differ by ${difference}`)
}

function mlp(): tf.LayersModel {
  const model = tf.sequential()
  model.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [6] }))
  model.add(tf.layers.dropout({ rate: 0.5 }))
  model.add(tf.layers.dense({ units: 5, activation: 'tanh' }))
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }))
  randomizeWeights(model, 100)
  return model
}

function cnn(): tf.LayersModel {
  const model = tf.sequential()
  model.add(tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu', inputShape: [7, 6, 3] }))
  model.add(tf.layers.batchNormalization())
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(tf.layers.flatten())
  model.add(tf.layers.dense({ units: 5, activation: 'softmax' }))
  randomizeWeights(model, 200)
  return model
}

test('imports a Dense MLP with dropout from model.json + one shard; predictions match TF.js', async () => {
  const reference = mlp()
  const artifacts = await saveArtifacts(reference)
  assert.match(artifacts.weightSpecs[0]!.name, /^dense_Dense\d+\/kernel$/)
  const imported = await loadTfjsLayersModel(await writeModelFolder(artifacts))
  assert.deepEqual(imported.weights.map((weight) => weight.name), artifacts.weightSpecs.map((spec) => spec.name))
  await assertSamePredictions(imported, reference)
  // The in-memory variant reads the same artifacts.
  await assertSamePredictions(modelFromTfjsArtifacts(artifacts), reference)
})

test('imports a Conv2D + BatchNormalization + MaxPooling2D + Dense CNN from two shards cut mid-weight', async () => {
  const reference = cnn()
  const artifacts = await saveArtifacts(reference)
  const modelJson = await writeModelFolder(artifacts, { cuts: [101] })
  assert.deepEqual(JSON.parse(await readFile(modelJson, 'utf8')).weightsManifest[0].paths, ['group1-shard1of2.bin', 'group1-shard2of2.bin'])
  const imported = await loadTfjsLayersModel(modelJson)
  await assertSamePredictions(imported, reference)
  // The check is sensitive to layouts: the Keras kernel stored without conversion gives other outputs.
  const kernel = imported.weights.find((weight) => weight.spec.layout === 'conv2d_kernel')!
  imported.setWeight(kernel.name, imported.getKerasWeights().get(kernel.name)!.data)
  const { maas, tfjs } = await predictBoth(imported, reference, 4)
  assert.ok(maxDifference(maas, tfjs) > 1e-3)
})

test('imports a functional model with DepthwiseConv2D, Conv2D, Add, LayerNormalization and GlobalAveragePooling2D', async () => {
  const x = tf.input({ shape: [5, 5, 3] })
  const depthwise = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor
  const pointwise = tf.layers.conv2d({ filters: 6, kernelSize: 1 }).apply(x) as tf.SymbolicTensor
  const sum = tf.layers.add().apply([depthwise, pointwise]) as tf.SymbolicTensor
  const normalized = tf.layers.layerNormalization().apply(sum) as tf.SymbolicTensor
  const pooled = tf.layers.globalAveragePooling2d({}).apply(normalized) as tf.SymbolicTensor
  const reference = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 4, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor })
  randomizeWeights(reference, 300)
  const imported = await loadTfjsLayersModel(await writeModelFolder(await saveArtifacts(reference)))
  assert.equal(imported.kind, 'Functional')
  await assertSamePredictions(imported, reference)
})

test('imports an Embedding model (float indices)', async () => {
  const reference = tf.sequential()
  reference.add(tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 5 }))
  reference.add(tf.layers.flatten())
  reference.add(tf.layers.dense({ units: 3 }))
  randomizeWeights(reference, 400)
  const imported = await loadTfjsLayersModel(await writeModelFolder(await saveArtifacts(reference)))
  await assertSamePredictions(imported, reference, 10)
})

/** Quantizes float32 `values` as the tensorflowjs converter does (min/max nudged so 0 is exact). */
function quantize(values: Float32Array, dtype: 'uint8' | 'uint16' | 'float16'): { bytes: Uint8Array; quantization: ManifestEntry['quantization'] } {
  if (dtype === 'float16') {
    const halves = Uint16Array.from(values, (value) => float16Bits(value))
    return { bytes: new Uint8Array(halves.buffer), quantization: { dtype, original_dtype: 'float32' } }
  }
  const levels = dtype === 'uint8' ? 255 : 65535
  const low = Math.min(0, ...values)
  const high = Math.max(0, ...values)
  const scale = (high - low) / levels || 1
  const zero = Math.round(-low / scale)
  const min = -zero * scale
  const level = (value: number) => Math.min(levels, Math.max(0, Math.round((value - min) / scale)))
  const quantized = dtype === 'uint8' ? Uint8Array.from(values, level) : Uint16Array.from(values, level)
  return { bytes: new Uint8Array(quantized.buffer), quantization: { dtype, scale, min, original_dtype: 'float32' } }
}

/** float32 → nearest float16 bits (normal range; enough for weights in [-1, 1]). */
function float16Bits(value: number): number {
  const f32 = new Uint32Array(new Float32Array([value]).buffer)[0]!
  const sign = (f32 >>> 16) & 0x8000
  const exponent = ((f32 >>> 23) & 0xff) - 127 + 15
  if (exponent <= 0) return sign
  return sign | ((exponent << 10) + Math.round((f32 & 0x7fffff) / 8192))
}

test('dequantizes uint8, uint16 and float16 weights as TF.js does', async () => {
  const reference = mlp()
  const artifacts = await saveArtifacts(reference)
  const values = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs)
  const kinds = ['uint8', 'uint16', 'float16'] as const
  const parts = artifacts.weightSpecs.map((spec, index) => ({ spec, ...quantize(values[spec.name]!.dataSync() as Float32Array, kinds[index % 3]!) }))
  const weightSpecs: ManifestEntry[] = parts.map(({ spec, quantization }) => ({ ...spec, quantization }))
  const weightData = new Uint8Array(tf.io.CompositeArrayBuffer.join(parts.map(({ bytes }) => bytes.slice().buffer)))
  const imported = await loadTfjsLayersModel(await writeModelFolder(artifacts, { weightSpecs, weightData, cuts: [33] }))
  // TF.js loading the same quantized weights is the reference.
  const quantizedReference = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: asTfjsSpecs(weightSpecs), weightData: weightData.buffer }))
  const expected = tf.io.decodeWeights(weightData.buffer, asTfjsSpecs(weightSpecs))
  for (const weight of imported.weights) assert.deepEqual(imported.getKerasWeights().get(weight.name)!.data, expected[weight.name]!.dataSync(), weight.name)
  await assertSamePredictions(imported, quantizedReference)
})

test('float16 decoding equals tfjs-core for all 65,536 bit patterns; int32 weights (plain and uint8-quantized) are cast', () => {
  const halves = Uint16Array.from({ length: 65536 }, (_, index) => index)
  const specs: ManifestEntry[] = [
    { name: 'h/kernel', shape: [256, 256], dtype: 'float32', quantization: { dtype: 'float16' } },
    { name: 'i/kernel', shape: [2, 2], dtype: 'int32' },
    { name: 'q/kernel', shape: [3], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.7, min: -3 } },
  ]
  const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join([halves.buffer, new Int32Array([-7, 0, 3, 2 ** 20]).buffer, new Uint8Array([0, 5, 255]).buffer]))
  const decoded = decodeTfjsWeights([{ entries: specs, data: bytes, source: 'test' }])
  const expected = tf.io.decodeWeights(bytes.buffer, asTfjsSpecs(specs))
  for (const weight of decoded) {
    const reference = expected[weight.name]!.dataSync()
    assert.equal(weight.data.length, reference.length)
    for (let i = 0; i < reference.length; i++) {
      if (!Object.is(weight.data[i], reference[i]) && !(Number.isNaN(weight.data[i]) && Number.isNaN(reference[i]))) assert.fail(`${weight.name}[${i}]: ${weight.data[i]} != tfjs ${reference[i]}`)
    }
  }
  assert.deepEqual([...decoded[2]!.data], [-3, Math.round(5 * 0.7 - 3), Math.round(255 * 0.7 - 3)])
})

test('weight names: Keras ":0" suffixes, TF cell names and Keras 3 "<layer>/<index>" names resolve; optimizer weights are skipped', async () => {
  const reference = mlp()
  const artifacts = await saveArtifacts(reference)
  const [first, second, ...rest] = artifacts.weightSpecs
  const renamed: ManifestEntry[] = [
    { ...first!, name: `${first!.name}:0` },
    { ...second!, name: second!.name.replace('/', '/cell/') },
    ...rest.map((spec) => ({ ...spec, name: spec.name.replace(/kernel$/, '0').replace(/bias$/, '1') })),
    { name: 'Adam/iterations', shape: [], dtype: 'float32', group: 'optimizer' },
  ]
  const weightData = new Uint8Array([...new Uint8Array(artifacts.weightData), ...new Uint8Array(4)])
  const imported = await loadTfjsLayersModel(await writeModelFolder(artifacts, { weightSpecs: renamed, weightData }))
  await assertSamePredictions(imported, reference)
})

/** Expects an InvalidArgumentError whose message matches `pattern`. */
async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof InvalidArgumentError, `${error.name}: ${error.message}`)
    assert.match(error.message, pattern)
    return true
  })
}

test('clear errors for missing, short and long shards, and shards outside the folder', async () => {
  const artifacts = await saveArtifacts(mlp())
  const split = await writeModelFolder(artifacts, { cuts: [64] })
  await rm(path.join(path.dirname(split), 'group1-shard2of2.bin'))
  await rejects(loadTfjsLayersModel(split), /cannot read weight shard 'group1-shard2of2\.bin' .*ENOENT/)
  await rejects(loadTfjsLayersModel(path.join(path.dirname(split), 'nope.json')), /cannot read .*nope\.json: ENOENT/)

  const short = await writeModelFolder(artifacts, { cuts: [64] })
  await truncate(path.join(path.dirname(short), 'group1-shard2of2.bin'), 10)
  await rejects(loadTfjsLayersModel(short), new RegExp(`weightsManifest\\[0\\] \\(group1-shard1of2\\.bin, group1-shard2of2\\.bin\\): weight '[^']+' \\(\\d+ bytes\\) needs bytes \\d+\\.\\.\\d+, but the weight data holds only 74 bytes`))
  const long = await writeModelFolder(artifacts, { weightData: new Uint8Array([...new Uint8Array(artifacts.weightData), 1, 2]) })
  await rejects(loadTfjsLayersModel(long), /2 bytes of weight data are left after the last weight/)

  const json = JSON.parse(await readFile(long, 'utf8'))
  json.weightsManifest[0].paths = ['../elsewhere.bin']
  await writeFile(long, JSON.stringify(json))
  await rejects(loadTfjsLayersModel(long), /weight shard '\.\.\/elsewhere\.bin' is outside the model's folder/)
})

test('clear errors for missing, extra, doubled and mis-shaped weights', async () => {
  const artifacts = await saveArtifacts(mlp())
  const specs = artifacts.weightSpecs
  const bytes = new Uint8Array(artifacts.weightData)
  const lastSize = specs.at(-1)!.shape.reduce((product, dim) => product * dim, 1) * 4
  const withSpecs = (weightSpecs: readonly ManifestEntry[], weightData = bytes) => modelFromTfjsArtifacts({ ...artifacts, weightSpecs, weightData })

  assert.throws(() => withSpecs(specs.slice(0, -1), bytes.slice(0, -lastSize)), new RegExp(`no values are given for the weights '${specs.at(-1)!.name}' of model`))
  assert.throws(() => withSpecs([...specs, { name: 'extra/kernel', shape: [2], dtype: 'float32' }], new Uint8Array([...bytes, ...new Uint8Array(8)])), /the weights 'extra\/kernel' match no weight of model '[^']+' \(its weights: 'dense_Dense\d+\/kernel'/)
  const kernel = specs[0]!
  assert.throws(() => withSpecs([...specs, { ...kernel, name: `${kernel.name}:0` }], new Uint8Array([...bytes, ...bytes.slice(0, 6 * 8 * 4)])), new RegExp(`weights '${kernel.name}' and '${kernel.name}:0' both give the model's weight '${kernel.name}'`))
  assert.throws(() => withSpecs([{ ...kernel, shape: [8, 6] }, ...specs.slice(1)]), new RegExp(`weight '${kernel.name}' has shape \\[8,6\\], but the model's '${kernel.name}' needs \\[6,8\\]`))
})

test('clear errors for unknown dtypes and quantizations, and for non-layers models', async () => {
  const artifacts = await saveArtifacts(mlp())
  const [kernel, ...rest] = artifacts.weightSpecs
  const withFirst = (first: ManifestEntry) => modelFromTfjsArtifacts({ ...artifacts, weightSpecs: [first, ...rest] })
  assert.throws(() => withFirst({ ...kernel!, dtype: 'float64' }), /weightData: weights\[0\] \('dense_Dense\d+\/kernel'\): unsupported dtype "float64" \(supported: float32, int32\)/)
  assert.throws(() => withFirst({ ...kernel!, dtype: 'bool' }), /unsupported dtype "bool"/)
  assert.throws(() => withFirst({ ...kernel!, quantization: { dtype: 'int4' } }), /unsupported quantization dtype "int4" \(supported: uint8, uint16, float16\)/)
  assert.throws(() => withFirst({ ...kernel!, quantization: { dtype: 'uint8', scale: 0.1 } }), /uint8 quantization needs finite numbers 'scale' and 'min', got scale 0\.1 and min nothing/)
  assert.throws(() => withFirst({ ...kernel!, dtype: 'int32', quantization: { dtype: 'float16' } }), /float16 quantization only applies to float32 weights, not int32/)
  assert.throws(() => modelFromTfjsArtifacts({ ...artifacts, format: 'graph-model' }), /format "graph-model" is not a TF.js layers model/)
  await rejects(modelFromTfjsModelJson('{"format": "layers-model"', async () => new Uint8Array()), /model\.json: not valid JSON/)
  await rejects(modelFromTfjsModelJson({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ weights: [] }] }, async () => new Uint8Array()), /weightsManifest\[0\]\.paths must be a list of file names/)
})
