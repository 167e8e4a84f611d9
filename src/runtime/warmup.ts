/**
 * @module runtime/warmup
 * Builds the warm-up requests of a model version from its signature and config.json
 * `model_warmup` (zero, random or file data), so a version is READY only once its session
 * has run, and the first real request does not pay for lazy initialisation.
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
  for (const sample of samples) {
    for (const name of Object.keys(sample.inputs)) {
      if (!signature.inputs.some((input) => input.name === name)) {
        throw new InvalidArgumentError(`warm-up sample '${sample.name}' names input '${name}', which the model does not have`)
      }
    }
    const inputs: Tensor[] = []
    for (const spec of signature.inputs) {
      const config = sample.inputs[spec.name] ?? { source: 'zero' }
      const shape = warmupShape(spec, config, sample.batchSize, maxBatchSize > 0)
      inputs.push({ name: spec.name, datatype: spec.datatype, shape, data: await warmupData(spec, shape, config, modelDirectory) })
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

async function warmupData(spec: TensorSpec, shape: readonly number[], config: WarmupInputConfig, modelDirectory: string): Promise<TensorData> {
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
    const expected = count * elementByteSize(datatype)
    if (bytes.length !== expected) {
      throw new InvalidArgumentError(`warm-up file ${file} has ${bytes.length} bytes; input '${spec.name}' [${shape.join(', ')}] ${datatype} needs ${expected}`)
    }
    return new Typed(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer)
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
