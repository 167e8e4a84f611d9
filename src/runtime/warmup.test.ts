import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import type { ModelSignature } from '../onnx/onnx-signature.ts'
import type { WarmupSample } from './model-config-scheduling.ts'
import { buildWarmupRequests } from './warmup.ts'

const modelDirectory = mkdtempSync(path.join(os.tmpdir(), 'maas-warmup-'))
mkdirSync(path.join(modelDirectory, 'warmup'))
after(() => rmSync(modelDirectory, { recursive: true, force: true }))

/** A file of FP32 values under warmup/. */
function sampleFile(name: string, values: readonly number[]): string {
  writeFileSync(path.join(modelDirectory, 'warmup', name), new Uint8Array(Float32Array.from(values).buffer))
  return name
}

function signature(shape: readonly number[]): ModelSignature {
  return { inputs: [{ name: 'input', datatype: 'FP32', shape }], outputs: [{ name: 'output', datatype: 'FP32', shape }], metadata: {}, producer: 'test', irVersion: 8, opset: 17 }
}

function fileSample(file: string, batchSize: number): WarmupSample {
  return { name: 'sample', batchSize, count: 1, inputs: { input: { source: 'file', file, dims: [3] } } }
}

describe('buildWarmupRequests with input_data_file', () => {
  test('repeats a one-sample file batch_size times, as Triton does', async () => {
    const file = sampleFile('one.bin', [1, 2, 3])
    const [warmup] = await buildWarmupRequests(signature([-1, 3]), [fileSample(file, 4)], { maxBatchSize: 8, modelDirectory })
    const [input] = warmup!.request.inputs
    assert.deepEqual(input!.shape, [4, 3])
    assert.deepEqual([...(input!.data as Float32Array)], [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3])
  })

  test('takes a file of exactly batch_size samples as the batch', async () => {
    const file = sampleFile('four.bin', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    const [warmup] = await buildWarmupRequests(signature([-1, 3]), [fileSample(file, 4)], { maxBatchSize: 8, modelDirectory })
    assert.deepEqual([...(warmup!.request.inputs[0]!.data as Float32Array)], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
  })

  test('refuses any other size, naming both sizes it takes', async () => {
    const file = sampleFile('two.bin', [1, 2, 3, 4, 5, 6])
    await assert.rejects(
      buildWarmupRequests(signature([-1, 3]), [fileSample(file, 4)], { maxBatchSize: 8, modelDirectory }),
      { code: 'INVALID_ARGUMENT', message: /warm-up file .*two\.bin has 24 bytes; input 'input' \[4, 3\] FP32 needs 12 \(one sample, repeated for the batch of 4\) or 48 \(4 samples\)$/ },
    )
  })

  test('a model without batching takes exactly its shape, batch_size or not', async () => {
    const file = sampleFile('fixed.bin', [1, 2, 3])
    const sample: WarmupSample = { name: 'sample', batchSize: 1, count: 1, inputs: { input: { source: 'file', file } } }
    const [warmup] = await buildWarmupRequests(signature([3]), [sample], { maxBatchSize: 0, modelDirectory })
    assert.deepEqual([...(warmup!.request.inputs[0]!.data as Float32Array)], [1, 2, 3])
    const short = sampleFile('short.bin', [1, 2])
    await assert.rejects(
      buildWarmupRequests(signature([3]), [{ ...sample, inputs: { input: { source: 'file', file: short } } }], { maxBatchSize: 0, modelDirectory }),
      /has 8 bytes; input 'input' \[3\] FP32 needs 12$/,
    )
  })
})
