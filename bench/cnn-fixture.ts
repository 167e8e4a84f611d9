/**
 * @module bench/cnn-fixture
 * The `cnn` suite's model repository: the seed CNN (Reshape → Conv 32 → Conv 64 → MaxPool →
 * Dense 128 → Dense 10, random weights) exported once and served under several configs —
 * `cnn_batched*` (max_batch_size 64 with dynamic_batching, per queue delay and instance
 * choice) and `cnn_unbatched*` (max_batch_size 64, no dynamic_batching) — plus a copy of
 * `model-repository/simple` for the overhead point. Also the batch-1 binary request bodies.
 * BENCH_CNN_MODEL=fc-head serves a CNN with a large dense head instead (see CnnModelChoice).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { exportInferenceModel } from '../src/nn/inference-export.ts'
import { conv2d, dense, flatten, reshape } from '../src/nn/layer-factories.ts'
import { sequential } from '../src/nn/model.ts'
import { seedCnn } from '../src/nn/presets.ts'

export const CNN_INPUT = 'input'
export const CNN_OUTPUT = 'dense_1'
/** Per-sample input shape (the batch dimension comes first). */
export const CNN_SAMPLE_SHAPE = [28, 28] as const
export const CNN_SAMPLE_SIZE = 28 * 28
export const CNN_MAX_BATCH = 64
export const SIMPLE_MODEL = 'simple'

/**
 * The CNN served. `seed`: the platform's seed CNN (two convolutions, 1.2 M parameters); its
 * time goes to the convolutions, which gain little from batching in ORT (~1.3-3× from batch 1
 * to its best batch). `fc-head`: Conv 8 → Flatten → Dense 512 → Dense 10, a LeNet/AlexNet-style
 * CNN whose classifier head holds nearly all of its 2.8 M parameters, so a batch-1 run is a
 * memory-bound matrix-vector product and batching pays (~10× in ORT), as it does for the dense
 * heads of most served CNNs. Both take [28, 28] FP32 and answer `dense_1` [10].
 */
export type CnnModelChoice = 'seed' | 'fc-head'

export function buildCnnModel(choice: CnnModelChoice): Uint8Array {
  if (choice === 'seed') return exportInferenceModel(seedCnn({ seed: 1 }), { includeSpec: false })
  const fcHead = sequential(
    [
      reshape({ targetShape: [28, 28, 1], inputShape: [28, 28] }),
      conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
      flatten(),
      dense({ units: 512, activation: 'relu' }),
      dense({ units: 10, activation: 'softmax' }),
    ],
    { name: 'fc_head_cnn', seed: 1 },
  )
  return exportInferenceModel(fcHead, { includeSpec: false })
}

/** Where maas runs the instances: its own choice, one or two worker threads, or the event-loop thread. */
export type InstanceChoice = 'auto' | 'worker' | 'worker2' | 'main'

export interface CnnVariant {
  /** Model name in the repository, e.g. `cnn_batched_worker_d500`. */
  readonly name: string
  readonly batching: boolean
  /** max_queue_delay_microseconds (batching variants only). */
  readonly delayMicros: number
  readonly instances: InstanceChoice
}

/** `cnn_batched` / `cnn_unbatched`, then `_<instances>` unless auto, then `_d<delay>` unless 0. */
export function variantName(batching: boolean, instances: InstanceChoice, delayMicros: number): string {
  return [batching ? 'cnn_batched' : 'cnn_unbatched', instances === 'auto' ? '' : `_${instances}`, delayMicros > 0 ? `_d${delayMicros}` : ''].join('')
}

/** Every batched (instances × delays) variant and one unbatched variant per instance choice. */
export function cnnVariants(instances: readonly InstanceChoice[], delaysMicros: readonly number[]): CnnVariant[] {
  const batched = instances.flatMap((choice) =>
    delaysMicros.map((delayMicros) => ({ name: variantName(true, choice, delayMicros), batching: true, delayMicros, instances: choice })),
  )
  const unbatched = instances.map((choice) => ({ name: variantName(false, choice, 0), batching: false, delayMicros: 0, instances: choice }))
  return [...batched, ...unbatched]
}

/** config.json of one variant, in Triton's JSON form. */
export function variantConfig(variant: CnnVariant): object {
  return {
    max_batch_size: CNN_MAX_BATCH,
    ...(variant.batching ? { dynamic_batching: { max_queue_delay_microseconds: variant.delayMicros } } : {}),
    ...(variant.instances === 'auto'
      ? {}
      : { instance_group: [{ count: variant.instances === 'worker2' ? 2 : 1, kind: 'KIND_CPU', thread: variant.instances === 'main' ? 'main' : 'worker' }] }),
  }
}

/** A binary-extension request: JSON header + raw tensor bytes, outputs asked for in binary. */
export interface BinaryRequest {
  readonly body: Buffer
  readonly headerLength: number
}

export interface CnnFixture {
  readonly repository: string
  readonly modelBytes: Uint8Array
  readonly variants: readonly CnnVariant[]
  /** One random [1, 28, 28] FP32 sample. */
  readonly sample: Float32Array
  readonly cnnRequest: BinaryRequest
  /** `simple`: INPUT0 and INPUT1, INT32 [1, 16]. */
  readonly simpleRequest: BinaryRequest
  readonly simpleInputs: readonly { readonly name: string; readonly data: Int32Array }[]
  remove(): void
}

export function createCnnFixture(variants: readonly CnnVariant[], model: CnnModelChoice = 'seed'): CnnFixture {
  const modelBytes = buildCnnModel(model)
  const repository = mkdtempSync(path.join(tmpdir(), 'maas-bench-cnn-'))
  for (const variant of variants) {
    mkdirSync(path.join(repository, variant.name, '1'), { recursive: true })
    writeFileSync(path.join(repository, variant.name, '1', 'model.onnx'), modelBytes)
    writeFileSync(path.join(repository, variant.name, 'config.json'), JSON.stringify(variantConfig(variant)))
  }
  cpSync(fileURLToPath(new URL('../model-repository/simple', import.meta.url)), path.join(repository, SIMPLE_MODEL), { recursive: true })
  const sample = Float32Array.from({ length: CNN_SAMPLE_SIZE }, () => Math.random())
  const simpleInputs = ['INPUT0', 'INPUT1'].map((name) => ({ name, data: Int32Array.from({ length: 16 }, (_, index) => index) }))
  return {
    repository,
    modelBytes,
    variants,
    sample,
    cnnRequest: binaryRequest([{ name: CNN_INPUT, datatype: 'FP32', shape: [1, ...CNN_SAMPLE_SHAPE], data: sample }]),
    simpleRequest: binaryRequest(simpleInputs.map(({ name, data }) => ({ name, datatype: 'INT32', shape: [1, 16], data }))),
    simpleInputs,
    remove: () => rmSync(repository, { recursive: true, force: true }),
  }
}

function binaryRequest(inputs: readonly { name: string; datatype: string; shape: number[]; data: Float32Array | Int32Array }[]): BinaryRequest {
  const header = Buffer.from(
    JSON.stringify({
      parameters: { binary_data_output: true },
      inputs: inputs.map(({ name, datatype, shape, data }) => ({ name, datatype, shape, parameters: { binary_data_size: data.byteLength } })),
    }),
  )
  const tensors = inputs.map(({ data }) => Buffer.from(data.buffer, data.byteOffset, data.byteLength))
  return { body: Buffer.concat([header, ...tensors]), headerLength: header.length }
}
