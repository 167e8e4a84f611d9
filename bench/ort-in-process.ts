/**
 * @module bench/ort-in-process
 * The compute-only ceiling: onnxruntime-node called in this process on the same model with
 * the same session options maas uses (from defaultConfig().engine), batch 1, no HTTP;
 * createMaasLikeSession gives other benchmarks the same sessions.
 */
import * as ort from 'onnxruntime-node'
import { defaultConfig } from '../src/config/config.ts'
import type { Operation } from './load.ts'
import { INPUT_FEATURES, INPUT_NAME, OUTPUT_NAME } from './mlp-fixture.ts'

export interface OrtRunner {
  readonly operation: Operation
  release(): Promise<void>
}

/**
 * A session with the options maas gives its models (sessionOptionsOf in
 * src/runtime/onnx-engine.ts, which is not exported): defaultConfig().engine, no spinning.
 */
export function createMaasLikeSession(model: Uint8Array | string): Promise<ort.InferenceSession> {
  const engine = defaultConfig().engine
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: engine.graphOptimizationLevel,
    intraOpNumThreads: engine.intraOpThreads,
    interOpNumThreads: engine.interOpThreads,
    executionMode: engine.executionMode,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  }
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options)
}

/** Creates a session as OnnxEngine does and returns an Operation running one batch-1 inference. */
export async function createOrtRunner(modelBytes: Uint8Array, input: Float32Array): Promise<OrtRunner> {
  const session = await createMaasLikeSession(modelBytes)
  const outputs = [OUTPUT_NAME]
  return {
    // A fresh Tensor per call, as maas builds one per request.
    operation: async () => {
      const results = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', input, [1, INPUT_FEATURES]) }, outputs)
      if (results[OUTPUT_NAME]?.data.length !== 10) throw new Error('ORT returned an unexpected output')
    },
    release: () => session.release(),
  }
}
