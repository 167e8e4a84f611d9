/**
 * @module runtime/warmup
 * Builds the warm-up requests of a model version from its signature and config.json
 * `model_warmup` (zero, random or file data), so a version is READY only once its session
 * has run, and the first real request does not pay for lazy initialisation. A sample file
 * holds one sample, repeated batch_size times as Triton does, or the whole batch.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { TYPED_ARRAY_OF, elementByteSize, type FixedDatatype } from '../core/datatypes.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { elementCount, type Tensor, type TensorData } from '../core/tensor.ts'
import { seededUniform } from '../onnx/example-models.ts'
import type { ModelSignature, TensorSpec } from '../onnx/onnx-signature.ts'
import type { ExecuteRequest } from './engine.ts'
import type { WarmupInputConfig, WarmupSample } from './model-config-scheduling.ts'

/** The default when config.json has no model_warmup: one zero-filled request of batch 1. */
export const DEFAULT_WARMUP: readonly WarmupSample[] = [{ name: 'default zero sample', batchSize: 1, count: 1, inputs: {} }]

export interface WarmupRequest {
  readonly sample: string
  readonly request: ExecuteRequest
  readonly count: number
}

export async function buildWarmupRequests(
  signature: ModelSignature,
  samples: readonly WarmupSample[],
  { maxBatchSize, modelDirectory }: { maxBatchSize: number; modelDirectory: string },
): Promise<WarmupRequest[]> {
  const requests: WarmupRequest[] = []
  const batching = maxBatchSize > 0
  for (const sample of samples) {
    for (const name of Object.keys(sample.inputs)) {
      if (!signature.inputs.some((input) => input.name === name)) {
        throw new InvalidArgumentError(`warm-up sample '${sample.name}' names input '${name}', which the model does not have`)
      }
    }
    const inputs: Tensor[] = []
    for (const spec of signature.inputs) {
      const config = sample.inputs[spec.name] ?? { source: 'zero' }
      const shape = warmupShape(spec, config, sample.batchSize, batching)
      inputs.push({ name: spec.name, datatype: spec.datatype, shape, data: await warmupData(spec, shape, batching ? (shape[0] ?? 1) : 1, config, modelDirectory) })
    }
    requests.push({ sample: sample.name, request: { inputs, outputs: signature.outputs.map((output) => output.name) }, count: sample.count })
  }
  return requests
}

/**
 * Dims from the sample (without the batch dimension for batching models, as in Triton), else
 * the signature with dynamic dimensions set to 1 and the batch dimension to batchSize.
 */
function warmupShape(spec: TensorSpec, config: WarmupInputConfig, batchSize: number, batching: boolean): number[] {
  if (config.dims) return batching ? [batchSize, ...config.dims] : [...config.dims]
  return spec.shape.map((dim, axis) => (dim === -1 ? (axis === 0 && batching ? batchSize : 1) : dim))
}

/** `batch`: how many samples the shape holds along dimension 0 (1 for a model without batching). */
async function warmupData(spec: TensorSpec, shape: readonly number[], batch: number, config: WarmupInputConfig, modelDirectory: string): Promise<TensorData> {
  const count = elementCount(shape)
  if (spec.datatype === 'BYTES') return Array.from({ length: count }, () => new Uint8Array(0))
  const datatype = spec.datatype as FixedDatatype
  const Typed = TYPED_ARRAY_OF[datatype]
  if (config.source === 'zero') return new Typed(count)
  if (config.source === 'file') {
    const file = path.join(modelDirectory, 'warmup', config.file!)
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new InvalidArgumentError(`warm-up file ${file} cannot be read: ${error.code ?? error.message}`)
    })
    return new Typed(fileBatch(bytes, { file, input: spec.name, shape, datatype, batch }))
  }
  const values = seededUniform(count, 7, 1)
  switch (datatype) {
    case 'FP32':
    case 'FP64':
      return Typed === Float32Array ? values : Float64Array.from(values)
    case 'INT64':
    case 'UINT64':
      return new (Typed as BigInt64ArrayConstructor)(count).map((_, index) => BigInt(Math.floor(Math.abs(values[index]!) * 100)))
    case 'FP16':
      return new Uint16Array(count).fill(0x3c00)
    case 'BOOL':
      return Uint8Array.from(values, (value) => (value > 0 ? 1 : 0))
    default:
      return (Typed as Int32ArrayConstructor).from(values, (value) => Math.floor(Math.abs(value) * 100))
  }
}

/**
 * The bytes of a whole batch from a sample file: the file is either one sample, repeated
 * `batch` times (Triton's reading of `input_data_file`), or exactly `batch` samples.
 */
function fileBatch(bytes: Uint8Array, { file, input, shape, datatype, batch }: { file: string; input: string; shape: readonly number[]; datatype: FixedDatatype; batch: number }): ArrayBuffer {
  const batchBytes = elementCount(shape) * elementByteSize(datatype)
  const sampleBytes = batch > 0 ? batchBytes / batch : 0
  const whole = new Uint8Array(batchBytes)
  if (bytes.length === batchBytes) whole.set(bytes)
  else if (batch > 1 && bytes.length === sampleBytes) for (let index = 0; index < batch; index++) whole.set(bytes, index * sampleBytes)
  else {
    const needs = batch > 1 ? `${sampleBytes} (one sample, repeated for the batch of ${batch}) or ${batchBytes} (${batch} samples)` : `${batchBytes}`
    throw new InvalidArgumentError(`warm-up file ${file} has ${bytes.length} bytes; input '${input}' [${shape.join(', ')}] ${datatype} needs ${needs}`)
  }
  return whole.buffer
}
