/**
 * @module bench/mlp-fixture
 * The benchmark's model and requests: a 784→128→10 MLP in a temporary Triton-layout
 * repository (`<tmp>/mlp/1/model.onnx`, max_batch_size 64), and one batch-1 FP32 input of
 * random values encoded as a KServe v2 JSON body and as a binary-extension body.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildMlp } from '../src/onnx/example-models.ts'

export const MODEL_NAME = 'mlp'
export const INPUT_NAME = 'input'
export const OUTPUT_NAME = 'probabilities'
export const INPUT_FEATURES = 784

export interface MlpFixture {
  readonly repository: string
  readonly modelBytes: Uint8Array
  readonly input: Float32Array
  readonly jsonBody: Buffer
  readonly binaryBody: Buffer
  /** Inference-Header-Content-Length of `binaryBody`. */
  readonly binaryHeaderLength: number
  remove(): void
}

export function createMlpFixture(): MlpFixture {
  const modelBytes = buildMlp({ inputs: INPUT_FEATURES, hidden: [128], classes: 10 })
  const repository = mkdtempSync(path.join(tmpdir(), 'maas-bench-'))
  mkdirSync(path.join(repository, MODEL_NAME, '1'), { recursive: true })
  writeFileSync(path.join(repository, MODEL_NAME, '1', 'model.onnx'), modelBytes)
  writeFileSync(path.join(repository, MODEL_NAME, 'config.json'), JSON.stringify({ max_batch_size: 64, dynamic_batching: {} }))
  const input = Float32Array.from({ length: INPUT_FEATURES }, () => Math.random())
  const shape = [1, INPUT_FEATURES]
  // Array.from widens each float32 to a double, as numpy's tolist() does for Python clients.
  const jsonBody = Buffer.from(JSON.stringify({ inputs: [{ name: INPUT_NAME, shape, datatype: 'FP32', data: Array.from(input) }] }))
  const header = Buffer.from(
    JSON.stringify({
      parameters: { binary_data_output: true },
      inputs: [{ name: INPUT_NAME, shape, datatype: 'FP32', parameters: { binary_data_size: input.byteLength } }],
    }),
  )
  const binaryBody = Buffer.concat([header, Buffer.from(input.buffer, input.byteOffset, input.byteLength)])
  return {
    repository,
    modelBytes,
    input,
    jsonBody,
    binaryBody,
    binaryHeaderLength: header.length,
    remove: () => rmSync(repository, { recursive: true, force: true }),
  }
}
