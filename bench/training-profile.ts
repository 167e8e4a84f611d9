/**
 * @module bench/training-profile
 * Training throughput of a seed model (MODEL=cnn, the default, or MODEL=mlp) on 2,048
 * Fashion-MNIST samples with one ORT thread (BATCH, default 32):
 * `fit` times Trainer.fit (samples/s per epoch, accuracy), `time` repeats 64-step calls of
 * the training graph (wall and CPU time: the machine may be shared), `profile` runs the compiled
 * training graph standalone with ORT's profiler and prints the nodes that take the time.
 *
 *   MODEL=mlp node --import tsx bench/training-profile.ts [fit|time|profile|both] [epochs] [calls]
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import ort from 'onnxruntime-node'
import type { Model } from '../src/nn/model.ts'
import { seedCnn, seedMlp } from '../src/nn/presets.ts'
import { loadNamedDataset } from '../src/training/datasets/named-datasets.ts'
import { seededPermutation } from '../src/training/datasets/seeded-random.ts'
import type { Dataset } from '../src/training/datasets/dataset.ts'
import { FEED, type TrainingGraph } from '../src/training/compile/training-graph.ts'
import { compileModelTraining, parseCompileOptions } from '../src/training/trainer/compiled-model.ts'
import { Trainer } from '../src/training/trainer/trainer.ts'
import { TRAINING_SESSION_EXTRA } from '../src/training/trainer/training-session.ts'

const SAMPLES = 2048
const BATCH = Number(process.env.BATCH ?? 32)
const buildModel = (): Model => (process.env.MODEL === 'mlp' ? seedMlp({ seed: 1 }) : seedCnn({ seed: 1 }))
const STEPS = 64
const config = parseCompileOptions({ optimizer: process.env.OPTIMIZER ?? 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] })

async function loadSamples(): Promise<Dataset> {
  const { train } = await loadNamedDataset('fashion-mnist', { download: false })
  const x = Float32Array.from(train.x.subarray(0, SAMPLES * 784), (value) => value / 255)
  return { ...train, x, y: train.y.subarray(0, SAMPLES) as Int32Array, count: SAMPLES }
}

async function runFit(data: Dataset, epochs: number): Promise<void> {
  const trainer = new Trainer(buildModel(), config)
  const history = await trainer.fit(data, { epochs, batchSize: BATCH, stepsPerCall: STEPS })
  for (const logs of history.epochs) {
    console.log(`epoch ${logs.epoch}: ${logs.samplesPerSecond.toFixed(0)} samples/s, loss ${logs.loss.toFixed(4)}, accuracy ${logs.metrics.accuracy?.toFixed(4)}`)
  }
}

interface ProfileEvent {
  readonly cat: string
  readonly name: string
  readonly dur: number
  readonly args?: { readonly op_name?: string }
}

/** Row numbers of `length` samples drawn in a fixed shuffled order, as an epoch would. */
function seededRows(count: number, length: number): Int32Array {
  const order = seededPermutation(count, 1)
  return Int32Array.from({ length }, (_, index) => order[index % count]!)
}

/** One call's inputs: the samples, 64 batches of shuffled rows, the learning rate, and the model's initial weights with zero slots. */
function firstFeeds(data: Dataset, model: Model, graph: TrainingGraph, weights: ReadonlyMap<string, string>): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {
    x: new ort.Tensor('float32', data.x, [data.count, 28, 28]),
    y: new ort.Tensor('int32', Int32Array.from(data.y), [data.count]),
    batches: new ort.Tensor('int32', seededRows(data.count, STEPS * BATCH), [STEPS, BATCH]),
    learning_rates: new ort.Tensor('float32', new Float32Array(STEPS).fill(0.001), [STEPS]),
    step: new ort.Tensor('float32', Float32Array.of(1), []),
  }
  for (const value of [...graph.parameters, ...graph.slots]) {
    const weight = weights.get(value.name)
    const values = weight ? model.getWeight(weight) : new Float32Array(value.shape.reduce((a, b) => a * b, 1))
    feeds[`${FEED}${value.name}`] = new ort.Tensor('float32', values, value.shape as number[])
  }
  return feeds
}

async function runProfile(data: Dataset): Promise<void> {
  const model = buildModel()
  const { graph, weights } = compileModelTraining(model, config)
  const prefix = '/tmp/training-profile'
  const session = await ort.InferenceSession.create(graph.bytes, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    enableProfiling: true,
    profileFilePrefix: prefix,
    extra: TRAINING_SESSION_EXTRA,
  })
  const feeds = firstFeeds(data, model, graph, weights)
  const calls = 3
  const started = performance.now()
  for (let call = 0; call < calls; call++) await session.run(feeds)
  const seconds = (performance.now() - started) / 1000
  console.log(`standalone (profiling on): ${((calls * STEPS * BATCH) / seconds).toFixed(0)} samples/s`)
  session.endProfiling()
  await session.release()
  const file = readdirSync('/tmp')
    .filter((name) => name.startsWith('training-profile_') && name.endsWith('.json'))
    .map((name) => `/tmp/${name}`)
    .sort()
    .at(-1)!
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[]
  rmSync(file)
  const nodes = events.filter((event) => event.cat === 'Node' && event.name.endsWith('_kernel_time'))
  const total = nodes.reduce((sum, event) => sum + event.dur, 0)
  const byNode = new Map<string, { op: string; dur: number; count: number }>()
  const byOp = new Map<string, number>()
  for (const event of nodes) {
    const name = event.name.replace(/_kernel_time$/, '')
    const op = event.args?.op_name ?? '?'
    const entry = byNode.get(name) ?? { op, dur: 0, count: 0 }
    entry.dur += event.dur
    entry.count++
    byNode.set(name, entry)
    byOp.set(op, (byOp.get(op) ?? 0) + event.dur)
  }
  const steps = calls * STEPS
  console.log(`kernel time per step: ${(total / steps / 1000).toFixed(2)} ms (${byNode.size} nodes)`)
  console.log('top ops:')
  for (const [op, dur] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${op.padEnd(28)} ${(dur / steps / 1000).toFixed(3)} ms/step ${((100 * dur) / total).toFixed(1)}%`)
  console.log('top nodes:')
  for (const [name, entry] of [...byNode].sort((a, b) => b[1].dur - a[1].dur).slice(0, Number(process.env.TOP ?? 25))) {
    console.log(`  ${((100 * entry.dur) / total).toFixed(1).padStart(5)}% ${(entry.dur / steps / 1000).toFixed(3)} ms/step ${entry.op.padEnd(20)} ${name}`)
  }
}

/** Best and median samples/s over repeated 64-step calls, by wall time and by this process's CPU time. */
async function runTiming(data: Dataset, calls: number): Promise<void> {
  const model = buildModel()
  const { graph, weights } = compileModelTraining(model, config)
  const session = await ort.InferenceSession.create(graph.bytes, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    extra: TRAINING_SESSION_EXTRA,
    ...(process.env.ORT_OPTIONS ? JSON.parse(process.env.ORT_OPTIONS) : {}),
  })
  const feeds = firstFeeds(data, model, graph, weights)
  await session.run(feeds)
  const wall: number[] = []
  const cpu: number[] = []
  const carried = [...graph.parameters, ...graph.slots].map((value) => value.name)
  const carriedOutputs = [...graph.outputs.parameters, ...graph.outputs.slots]
  for (let call = 0; call < calls; call++) {
    const started = performance.now()
    const usage = process.cpuUsage()
    const results = await session.run(feeds)
    const used = process.cpuUsage(usage)
    // Train on, as fit does: the weights and slots of this call feed the next.
    carried.forEach((name, index) => (feeds[`${FEED}${name}`] = results[carriedOutputs[index]!]!))
    wall.push((STEPS * BATCH) / ((performance.now() - started) / 1000))
    cpu.push((STEPS * BATCH) / ((used.user + used.system) / 1e6))
  }
  await session.release()
  const describe = (rates: number[]) => {
    const sorted = [...rates].sort((a, b) => b - a)
    return `best ${sorted[0]!.toFixed(0)}, median ${sorted[sorted.length >> 1]!.toFixed(0)}`
  }
  console.log(`standalone ${calls}x${STEPS} steps: wall ${describe(wall)} samples/s; cpu-time ${describe(cpu)} samples/s`)
}

const mode = process.argv[2] ?? 'both'
const epochs = Number(process.argv[3] ?? 3)
const data = await loadSamples()
if (mode === 'fit' || mode === 'both') await runFit(data, epochs)
if (mode === 'time' || mode === 'both') await runTiming(data, Number(process.argv[4] ?? 6))
if (mode === 'profile' || mode === 'both') await runProfile(data)
