/**
 * @module bench/optimizer-suite
 * `npm run bench -- optimizer`: what the optimizer update of the seed MLP costs per training
 * step in onnxruntime (the update maas compiles, emitOptimizerUpdate, K steps in one Loop with
 * fixed gradients) and in PyTorch (torch.optim over the same shapes, bench/pytorch/
 * optimizer_update.py), and the element-wise kernels it is made of, op for op. It tells how
 * much of the seed-MLP training target depends on the update alone, on the same machine.
 * ORT and PyTorch take turns over three rounds (the machine is shared); medians are printed.
 * Environment: BENCH_PYTHON (python3 with torch; default /usr/bin/python3; "" skips PyTorch).
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ort from 'onnxruntime-node'
import { mulberry32 } from '../src/core/mulberry32.ts'
import { seedMlp } from '../src/nn/presets.ts'
import { GraphBuilder, attr } from '../src/onnx/onnx-builder.ts'
import { floatScalar } from '../src/training/compile/graph-constants.ts'
import { emitOptimizerUpdate, optimizerSlots, type OptimizerConfig } from '../src/training/compile/optimizers.ts'
import { TRAINING_SESSION_EXTRA } from '../src/training/trainer/training-session.ts'
import type { ReportFormat } from './report.ts'

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pytorch', 'optimizer_update.py')
const ITERATIONS = 200
const ROUNDS = 7
/** ORT and PyTorch measurements, alternating. */
const SUITE_ROUNDS = 3
const OPTIMIZERS: readonly OptimizerConfig[] = [{ name: 'adam', epsilon: 1e-7 }, { name: 'sgd' }]
/** Element-wise ops over the kernel's 100,352 floats, as PyTorch's script names them. */
const OPS = ['add', 'mul_scalar', 'sqrt', 'div'] as const
type OpName = (typeof OPS)[number]

interface Timings {
  /** µs per step: optimizer → parameters ('all' or 'kernel') → value. */
  readonly updates: Map<string, number>
  /** µs per op. */
  readonly ops: Map<string, number>
}

/** The seed MLP's parameter shapes: [784, 128], [128], [128, 10], [10]. */
function parameterShapes(): number[][] {
  return seedMlp({ seed: 1 }).weights.map((weight) => [...weight.spec.shape])
}

/** Median µs per Loop iteration of a model whose Loop runs ITERATIONS times over `feeds`. */
async function timeLoop(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<number> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1, extra: TRAINING_SESSION_EXTRA })
  try {
    await session.run(feeds)
    const times: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now()
      await session.run(feeds)
      times.push(((performance.now() - started) * 1000) / ITERATIONS)
    }
    return times.sort((a, b) => a - b)[ROUNDS >> 1]!
  } finally {
    await session.release()
  }
}

/**
 * A Loop of ITERATIONS updates of `shapes` by `config`, as the training graph emits them:
 * parameters and slots loop-carried, each gradient fixed (an outer value), step counting up.
 */
function updateLoop(config: OptimizerConfig, shapes: readonly number[][]): { bytes: Uint8Array; feeds: Record<string, ort.Tensor> } {
  const body = new GraphBuilder('update')
  body.input('iteration', 'INT64', [])
  body.input('condition', 'BOOL', [])
  const slotNames = optimizerSlots(config)
  const carried = shapes.flatMap((shape, index) => [`p${index}`, ...slotNames.map((slot) => `p${index}/${slot}`)].map((name) => ({ name, shape })))
  for (const value of carried) body.input(value.name, 'FP32', value.shape)
  body.input('step', 'FP32', [])
  const next: string[] = []
  shapes.forEach((_, index) => {
    const update = emitOptimizerUpdate(body, config, { param: `p${index}`, grad: `g${index}`, slots: slotNames.map((slot) => `p${index}/${slot}`), learningRate: 'lr', step: 'step' })
    next.push(update.param, ...update.slots)
  })
  body.node('Identity', ['condition'], { outputs: ['condition_out'] })
  body.output('condition_out', 'BOOL', [])
  // The updated values are the body's outputs themselves, as in the training graph (an
  // Identity would copy them: ORT does not alias a subgraph's outputs).
  next.forEach((value, index) => body.output(value, 'FP32', carried[index]!.shape))
  body.node('Add', ['step', floatScalar(body, 1)], { outputs: ['step_out'] })
  body.output('step_out', 'FP32', [])

  const graph = new GraphBuilder('updates')
  graph.input('trips', 'INT64', [])
  graph.input('lr', 'FP32', [])
  graph.input('first_step', 'FP32', [])
  shapes.forEach((shape, index) => graph.input(`g${index}`, 'FP32', shape))
  for (const value of carried) graph.input(`in_${value.name}`, 'FP32', value.shape)
  graph.initializer('true', { datatype: 'BOOL', shape: [], data: new Uint8Array([1]) })
  const outputs = [...carried.map((value) => `final_${value.name}`), 'final_step']
  graph.node('Loop', ['trips', 'true', ...carried.map((value) => `in_${value.name}`), 'first_step'], { outputs, attributes: { body: attr.graph(body) } })
  carried.forEach((value) => graph.output(`final_${value.name}`, 'FP32', value.shape))
  graph.output('final_step', 'FP32', [])

  const random = mulberry32(1)
  const filled = (shape: readonly number[], scale: number) => new ort.Tensor('float32', Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() - 0.5) * scale), [...shape])
  const feeds: Record<string, ort.Tensor> = {
    trips: new ort.Tensor('int64', BigInt64Array.of(BigInt(ITERATIONS)), []),
    lr: new ort.Tensor('float32', Float32Array.of(1e-3), []),
    first_step: new ort.Tensor('float32', Float32Array.of(1), []),
  }
  shapes.forEach((shape, index) => (feeds[`g${index}`] = filled(shape, 0.02)))
  for (const value of carried) feeds[`in_${value.name}`] = value.name.includes('/') ? filled(value.shape, 0) : filled(value.shape, 0.1)
  return { bytes: graph.toBytes(), feeds }
}

/** Ops per Loop iteration in opLoop. */
const CHAIN = 10

/**
 * A Loop whose body applies one element-wise op `count` times in a chain over `size` floats
 * (count 0: the Loop's own cost per iteration, which measureOrt takes off before dividing).
 */
function opLoop(op: OpName, size: number, count = CHAIN): { bytes: Uint8Array; feeds: Record<string, ort.Tensor> } {
  const body = new GraphBuilder('ops')
  body.input('iteration', 'INT64', [])
  body.input('condition', 'BOOL', [])
  body.input('a', 'FP32', [size])
  let value = 'a'
  for (let index = 0; index < count; index++) {
    if (op === 'sqrt') value = body.node('Sqrt', [value])[0]!
    else if (op === 'mul_scalar') value = body.node('Mul', [value, floatScalar(body, 0.999)])[0]!
    else value = body.node(op === 'add' ? 'Add' : 'Div', [value, 'b'])[0]!
  }
  body.node('Identity', ['condition'], { outputs: ['condition_out'] })
  body.output('condition_out', 'BOOL', [])
  body.node('Identity', [value], { outputs: ['a_out'] })
  body.output('a_out', 'FP32', [size])
  const graph = new GraphBuilder('op_chain')
  graph.input('trips', 'INT64', [])
  graph.input('a0', 'FP32', [size])
  graph.input('b', 'FP32', [size])
  graph.initializer('true', { datatype: 'BOOL', shape: [], data: new Uint8Array([1]) })
  graph.node('Loop', ['trips', 'true', 'a0'], { outputs: ['a_final'], attributes: { body: attr.graph(body) } })
  graph.output('a_final', 'FP32', [size])
  const random = mulberry32(2)
  return {
    bytes: graph.toBytes(),
    feeds: {
      trips: new ort.Tensor('int64', BigInt64Array.of(BigInt(ITERATIONS)), []),
      // Values near 1: ten chained ops neither overflow nor sink into subnormals.
      a0: new ort.Tensor('float32', Float32Array.from({ length: size }, () => 1 + random() * 0.01), [size]),
      b: new ort.Tensor('float32', Float32Array.from({ length: size }, () => 1 + random() * 1e-4), [size]),
    },
  }
}

async function measureOrt(): Promise<Timings> {
  const shapes = parameterShapes()
  const updates = new Map<string, number>()
  for (const config of OPTIMIZERS) {
    for (const [group, selected] of [['all', shapes], ['kernel', shapes.slice(0, 1)]] as const) {
      const { bytes, feeds } = updateLoop(config, selected)
      updates.set(`${config.name} ${group}`, await timeLoop(bytes, feeds))
    }
  }
  const size = shapes[0]!.reduce((a, b) => a * b, 1)
  const ops = new Map<string, number>()
  const empty = opLoop('add', size, 0)
  const loopCost = await timeLoop(empty.bytes, empty.feeds)
  for (const op of OPS) {
    const { bytes, feeds } = opLoop(op, size)
    ops.set(op, ((await timeLoop(bytes, feeds)) - loopCost) / CHAIN)
  }
  return { updates, ops }
}

interface PytorchTimings extends Timings {
  readonly env: string
  readonly opsInPlace: Map<string, number>
}

function measurePytorch(python: string): PytorchTimings | string {
  const run = spawnSync(python, [SCRIPT], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } })
  if (run.status !== 0) return `PyTorch not measured: ${(run.error?.message ?? run.stderr).trim().split('\n').at(-1)}`
  const updates = new Map<string, number>()
  const ops = new Map<string, number>()
  const opsInPlace = new Map<string, number>()
  let env = ''
  for (const line of run.stdout.split('\n').filter(Boolean)) {
    const record = JSON.parse(line)
    if (record.kind === 'env') env = `PyTorch ${record.torch}, ${record.threads} thread, CPU capability ${record.cpu_capability}`
    else if (record.kind === 'update') updates.set(`${record.optimizer} ${record.parameters}`, record.us)
    else if (record.kind === 'op') (record.in_place ? opsInPlace : ops).set(record.op, record.us)
  }
  return { env, updates, ops, opsInPlace }
}

export async function runOptimizerReport(format: ReportFormat): Promise<string> {
  const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3'
  // ORT and PyTorch take turns, so that a slower stretch of the shared machine hits both.
  const ortRounds: Timings[] = []
  const torchRounds: PytorchTimings[] = []
  let skipped = python ? '' : 'PyTorch skipped (BENCH_PYTHON="")'
  for (let round = 0; round < SUITE_ROUNDS; round++) {
    ortRounds.push(await measureOrt())
    if (skipped) continue
    const pytorch = measurePytorch(python)
    if (typeof pytorch === 'string') skipped = pytorch
    else torchRounds.push(pytorch)
  }
  const medianOf = (rounds: readonly Timings[], map: 'updates' | 'ops' | 'opsInPlace', key: string) => {
    const values = rounds.map((round) => (round as PytorchTimings)[map]?.get(key)).filter((value): value is number => value !== undefined)
    return values.length === 0 ? undefined : values.sort((a, b) => a - b)[values.length >> 1]
  }
  const us = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(1))
  const ratio = (ortValue: number | undefined, torchValue: number | undefined) => (ortValue === undefined || torchValue === undefined ? 'n/a' : `${(ortValue / torchValue).toFixed(2)}×`)
  const range = (map: 'updates' | 'ops', key: string) => {
    const values = ortRounds.map((round) => round[map].get(key)!)
    return `${us(medianOf(ortRounds, map, key))} (${us(Math.min(...values))}-${us(Math.max(...values))})`
  }
  const rows: string[][] = [['measured', 'ORT µs (range)', 'PyTorch µs', 'ORT ÷ PyTorch']]
  for (const config of OPTIMIZERS) {
    for (const group of ['all', 'kernel']) {
      const key = `${config.name} ${group}`
      const label = `${config.name} update, ${group === 'all' ? 'all four seed-MLP parameters' : 'the 784×128 kernel'}`
      rows.push([label, range('updates', key), us(medianOf(torchRounds, 'updates', key)), ratio(medianOf(ortRounds, 'updates', key), medianOf(torchRounds, 'updates', key))])
    }
  }
  for (const op of OPS) {
    const pytorch = `${us(medianOf(torchRounds, 'ops', op))} (in place ${us(medianOf(torchRounds, 'opsInPlace', op))})`
    rows.push([`${op} over 100,352 floats`, range('ops', op), pytorch, ratio(medianOf(ortRounds, 'ops', op), medianOf(torchRounds, 'ops', op))])
  }
  const table =
    format === 'markdown'
      ? [`| ${rows[0]!.join(' | ')} |`, `| --- | ---: | ---: | ---: |`, ...rows.slice(1).map((row) => `| ${row.join(' | ')} |`)].join('\n')
      : rows.map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(46) : cell.padStart(24))).join('')).join('\n')
  const torchEnv = torchRounds[0]?.env ?? skipped
  return `ORT: maas' update graph (emitOptimizerUpdate), ${ITERATIONS} steps per Loop, one intra-op thread; ${torchEnv}. Medians of ${SUITE_ROUNDS} alternating rounds (each itself a median of ${ROUNDS} timings).\n\n${table}\n`
}
