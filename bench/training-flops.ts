/**
 * @module bench/training-flops
 * What a training step costs in arithmetic, and what onnxruntime can deliver on this machine:
 * forward multiply-accumulates of a model (Dense and Conv kernels; everything else is noise
 * next to them), the usual training estimate of 3 × forward (forward, input gradients,
 * weight gradients) × 2 FLOPs per MAC, and ORT's own single-thread rate on one large MatMul.
 */
import ort from 'onnxruntime-node'
import type { Model } from '../src/nn/index.ts'
import { GraphBuilder } from '../src/onnx/onnx-builder.ts'
import { TRAINING_SESSION_EXTRA } from '../src/training/trainer/training-session.ts'

/**
 * Forward MACs per sample: for each layer with a kernel, kernel elements × output positions
 * (output elements / output channels). Dense: in·units; Conv2D: kh·kw·in·filters·outH·outW.
 */
export function forwardMacsPerSample(model: Model): number {
  let macs = 0
  for (const weight of model.weights) {
    if (!/\/(kernel|depthwise_kernel)$/.test(weight.name)) continue
    const call = model.topology.calls.find((candidate) => candidate.layer === weight.layer)
    if (!call) continue
    const outputShape = call.output.shape.map((dim) => dim ?? 1)
    const channels = outputShape.at(-1) ?? 1
    const outputElements = outputShape.reduce((a, b) => a * b, 1)
    const kernelElements = weight.spec.kerasShape.reduce((a, b) => a * b, 1)
    // A depthwise kernel [kh, kw, C, M] pairs each output channel with one input channel only.
    macs += weight.name.endsWith('depthwise_kernel') ? (kernelElements / channels) * outputElements : kernelElements * (outputElements / channels)
  }
  return macs
}

/** Training FLOPs per sample: ≈ 3 × forward MACs × 2 (the first layer's input gradient is counted though not computed). */
export function trainingFlopsPerSample(model: Model): number {
  return 3 * 2 * forwardMacsPerSample(model)
}

/** GFLOP/s of one [n, n] × [n, n] MatMul in ORT on one intra-op thread (best of `rounds` timed batches). */
export async function measureOrtGemm(size = 1024, { runs = 8, rounds = 3 } = {}): Promise<number> {
  const graph = new GraphBuilder('gemm')
  graph.input('a', 'FP32', [size, size])
  graph.input('b', 'FP32', [size, size])
  graph.node('MatMul', ['a', 'b'], { outputs: ['c'] })
  graph.output('c', 'FP32', [size, size])
  const session = await ort.InferenceSession.create(graph.toBytes(), {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    // The first ORT session of the bench process: it decides whether the training thread
    // flushes subnormals (see TRAINING_SESSION_EXTRA).
    extra: TRAINING_SESSION_EXTRA,
  })
  try {
    const values = Float32Array.from({ length: size * size }, (_, index) => ((index * 7919) % 1000) / 1000 - 0.5)
    const feeds = { a: new ort.Tensor('float32', values, [size, size]), b: new ort.Tensor('float32', values, [size, size]) }
    for (let warm = 0; warm < 2; warm++) await session.run(feeds)
    let best = 0
    for (let round = 0; round < rounds; round++) {
      const started = performance.now()
      for (let run = 0; run < runs; run++) await session.run(feeds)
      const seconds = (performance.now() - started) / 1000
      best = Math.max(best, (2 * size ** 3 * runs) / seconds / 1e9)
    }
    return best
  } finally {
    await session.release()
  }
}
