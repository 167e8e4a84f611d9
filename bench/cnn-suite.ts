/**
 * @module bench/cnn-suite
 * The `cnn` suite: the scheduling targets for the seed CNN, measured in one run.
 *  - Throughput at concurrency 64 (batch-1 REST binary requests, optionally gRPC) on every
 *    `cnn_batched*` variant (queue delay × instance choice) and `cnn_unbatched*`, against
 *    onnxruntime-node in-process on the same model and session options at batch 1…64.
 *  - Overhead at concurrency 1: client latency minus the server's queue + compute time (from
 *    the statistics extension, read around each window), for `simple` and `cnn_batched`.
 * maas runs in a child process; the load generator and ORT in-process run here. Each window
 * is preceded by its own warm-up, so the statistics cover exactly the measured requests.
 *
 * Environment (besides BENCH_SECONDS, BENCH_WARMUP, BENCH_ROUNDS, BENCH_ONLY):
 * BENCH_CNN_CONCURRENCY (64), BENCH_CNN_DELAYS (µs, "0,500,2000"), BENCH_CNN_INSTANCES
 * ("auto,worker,main"; also worker2: two worker instances), BENCH_CNN_BATCHES (in-process, "1,2,4,8,16,32,64"), BENCH_CNN_GRPC (1),
 * BENCH_CNN_MODEL ("seed" or "fc-head", see CnnModelChoice).
 */
import { readFileSync, rmSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { performance } from 'node:perf_hooks'
import { GrpcBenchDriver } from '../src/cli/bench/grpc-bench-driver.ts'
import type { InferLoad } from '../src/cli/bench/bench-driver.ts'
import { startChildServer, type ChildServer } from './child-server.ts'
import {
  CNN_INPUT,
  CNN_OUTPUT,
  CNN_SAMPLE_SHAPE,
  CNN_SAMPLE_SIZE,
  SIMPLE_MODEL,
  cnnVariants,
  createCnnFixture,
  variantName,
  type BinaryRequest,
  type CnnFixture,
  type CnnModelChoice,
  type CnnVariant,
  type InstanceChoice,
} from './cnn-fixture.ts'
import { percentile } from './latency-stats.ts'
import { createKeepAliveAgent, httpPostOperation, runClosedLoop, type Operation } from './load.ts'
import { diffModelStats, readModelStats, type ModelStatsWindow } from './model-stats-window.ts'
import { createMaasLikeSession } from './ort-in-process.ts'
import { sampleCpu } from './process-cpu.ts'
import type { CnnChildInfo } from './serve-cnn-child.ts'

export interface CnnSuiteOptions {
  readonly warmupSeconds: number
  readonly seconds: number
  readonly rounds: number
  readonly concurrency: number
  readonly delaysMicros: readonly number[]
  readonly instances: readonly InstanceChoice[]
  readonly inProcessBatches: readonly number[]
  readonly grpc: boolean
  readonly model: CnnModelChoice
  /** Only targets whose names contain one of these (case-insensitive); all when empty. */
  readonly only?: readonly string[]
}

export function cnnOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CnnSuiteOptions {
  const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').map((item) => item.trim()).filter(Boolean)
  const instances = list(env.BENCH_CNN_INSTANCES, 'auto,worker,main')
  for (const choice of instances) if (!['auto', 'worker', 'worker2', 'main'].includes(choice)) throw new Error(`BENCH_CNN_INSTANCES: unknown '${choice}'`)
  return {
    warmupSeconds: Number(env.BENCH_WARMUP ?? 1),
    seconds: Number(env.BENCH_SECONDS ?? 4),
    rounds: Number(env.BENCH_ROUNDS ?? 1),
    concurrency: Number(env.BENCH_CNN_CONCURRENCY ?? 64),
    delaysMicros: list(env.BENCH_CNN_DELAYS, '0,500,2000').map(Number),
    instances: instances as InstanceChoice[],
    inProcessBatches: list(env.BENCH_CNN_BATCHES, '1,2,4,8,16,32,64').map(Number),
    grpc: (env.BENCH_CNN_GRPC ?? '1') !== '0',
    model: cnnModelOf(env.BENCH_CNN_MODEL ?? 'seed'),
    only: env.BENCH_ONLY?.split(',').filter(Boolean),
  }
}

function cnnModelOf(value: string): CnnModelChoice {
  if (value !== 'seed' && value !== 'fc-head') throw new Error(`BENCH_CNN_MODEL: unknown '${value}' (seed or fc-head)`)
  return value
}

/** One measured window. Latencies in ms; `samplesPerSecond` = completed requests/s × batch. */
export interface CnnPoint {
  readonly target: string
  readonly kind: 'ort' | 'server' | 'echo'
  readonly concurrency: number
  /** Samples per request (in-process batch size; 1 for every HTTP/gRPC request). */
  readonly batch: number
  readonly requests: number
  readonly errors: number
  readonly firstError: string | undefined
  readonly samplesPerSecond: number
  readonly mean: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly stats?: ModelStatsWindow
  /** CPU per request (µs) of this process (load generator, or ORT in-process) and of the maas child (server targets). */
  readonly clientCpuUs: number
  readonly serverCpuUs: number
  /** Cores kept busy by both processes together over the window (of os.cpus().length). */
  readonly coresBusy: number
}

export interface CnnSuiteResult {
  readonly options: CnnSuiteOptions
  readonly variants: readonly CnnVariant[]
  readonly plans: CnnChildInfo['plans']
  /** The median round of each target (by samples/s). */
  readonly points: readonly CnnPoint[]
}

interface Task {
  readonly target: string
  readonly kind: CnnPoint['kind']
  readonly concurrency: number
  readonly batch: number
  /** The model whose statistics frame the window (server targets). */
  readonly model?: string
  /** Creates the operation for this window; `release` frees its connections. */
  readonly open: () => { operation: Operation; release: () => void }
}

export async function runCnnSuite(options: CnnSuiteOptions, onPoint?: (point: CnnPoint, round: number) => void): Promise<CnnSuiteResult> {
  const variants = cnnVariants(options.instances, options.delaysMicros)
  const fixture = createCnnFixture(variants, options.model)
  const servers: ChildServer[] = []
  let driver: GrpcBenchDriver | undefined
  const session = await createMaasLikeSession(fixture.modelBytes)
  try {
    const infoFile = `${fixture.repository}.info.json`
    const maas = await startChildServer('serve-cnn-child.ts', [fixture.repository, infoFile])
    servers.push(maas)
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as CnnChildInfo
    rmSync(infoFile)
    const echo = await startChildServer('echo-child.ts')
    servers.push(echo)
    if (options.grpc) driver = new GrpcBenchDriver(`127.0.0.1:${info.grpcPort}`)
    await checkResponses(maas.port, fixture)
    const tasks = buildTasks(options, fixture, session, { maas: maas.port, echo: echo.port }, driver).filter((task) => isSelected(task.target, options.only))
    const rounds = new Map<string, CnnPoint[]>()
    for (let round = 0; round < options.rounds; round++) {
      for (const task of round % 2 === 0 ? tasks : [...tasks].reverse()) {
        const point = await measure(task, options, maas.port, info.pid)
        onPoint?.(point, round)
        rounds.set(task.target, [...(rounds.get(task.target) ?? []), point])
      }
    }
    return { options, variants, plans: info.plans, points: [...rounds.values()].map(medianRound) }
  } finally {
    driver?.close()
    await Promise.all(servers.map((server) => server.stop()))
    await session.release()
    fixture.remove()
  }
}

function isSelected(target: string, only: readonly string[] | undefined): boolean {
  return !only?.length || only.some((part) => target.toLowerCase().includes(part.toLowerCase()))
}

function buildTasks(
  options: CnnSuiteOptions,
  fixture: CnnFixture,
  session: ort.InferenceSession,
  ports: { readonly maas: number; readonly echo: number },
  driver: GrpcBenchDriver | undefined,
): Task[] {
  const concurrency = options.concurrency
  const rest = (port: number, model: string, request: BinaryRequest, workers: number) => () => {
    const agent = createKeepAliveAgent(workers)
    const headers = { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(request.headerLength) }
    const operation = httpPostOperation({ port, path: `/v2/models/${model}/infer`, body: request.body, headers }, agent)
    return { operation, release: () => agent.destroy() }
  }
  const grpc = (model: string, workers: number) => () => {
    const inputs =
      model === SIMPLE_MODEL
        ? fixture.simpleInputs.map(({ name, data }) => ({ name, datatype: 'INT32' as const, shape: [1, 16], json: [], raw: Buffer.from(data.buffer, data.byteOffset, data.byteLength) }))
        : [{ name: CNN_INPUT, datatype: 'FP32' as const, shape: [1, ...CNN_SAMPLE_SHAPE], json: [], raw: Buffer.from(fixture.sample.buffer, fixture.sample.byteOffset, fixture.sample.byteLength) }]
    const load: InferLoad = driver!.createLoad({ model, version: '1', inputs }, workers)
    return { operation: load.operation, release: () => load.release() }
  }
  const inProcess = (batch: number) => () => {
    const data = new Float32Array(batch * CNN_SAMPLE_SIZE)
    for (let row = 0; row < batch; row++) data.set(fixture.sample, row * CNN_SAMPLE_SIZE)
    const outputs = [CNN_OUTPUT]
    // A fresh Tensor per call, as maas builds one per execution.
    const operation = async () => {
      const results = await session.run({ [CNN_INPUT]: new ort.Tensor('float32', data, [batch, ...CNN_SAMPLE_SHAPE]) }, outputs)
      if (results[CNN_OUTPUT]?.data.length !== batch * 10) throw new Error('ORT returned an unexpected output')
    }
    return { operation, release: () => {} }
  }
  const headline = { batched: variantName(true, options.instances[0] ?? 'auto', options.delaysMicros[0] ?? 0), unbatched: variantName(false, options.instances[0] ?? 'auto', 0) }
  const tasks: Task[] = [
    // session.run is serialised by onnxruntime-node, so one caller sees the session's full throughput.
    ...options.inProcessBatches.map((batch) => ({ target: `ORT in-process b=${batch}`, kind: 'ort' as const, concurrency: 1, batch, open: inProcess(batch) })),
    ...fixture.variants.map((variant) => ({
      target: `REST ${variant.name}`,
      kind: 'server' as const,
      concurrency,
      batch: 1,
      model: variant.name,
      open: rest(ports.maas, variant.name, fixture.cnnRequest, concurrency),
    })),
    ...(driver
      ? [headline.batched, headline.unbatched].map((model) => ({ target: `gRPC ${model}`, kind: 'server' as const, concurrency, batch: 1, model, open: grpc(model, concurrency) }))
      : []),
    // Concurrency 1: the overhead points.
    { target: 'echo binary (CNN body)', kind: 'echo', concurrency: 1, batch: 1, open: rest(ports.echo, 'echo', fixture.cnnRequest, 1) },
    { target: `REST ${SIMPLE_MODEL}`, kind: 'server', concurrency: 1, batch: 1, model: SIMPLE_MODEL, open: rest(ports.maas, SIMPLE_MODEL, fixture.simpleRequest, 1) },
    { target: `REST ${headline.batched}`, kind: 'server', concurrency: 1, batch: 1, model: headline.batched, open: rest(ports.maas, headline.batched, fixture.cnnRequest, 1) },
    ...(driver
      ? [SIMPLE_MODEL, headline.batched].map((model) => ({ target: `gRPC ${model}`, kind: 'server' as const, concurrency: 1, batch: 1, model, open: grpc(model, 1) }))
      : []),
  ]
  // Targets are keyed by name; the concurrency-1 ones share names with concurrency-64 ones.
  return tasks.map((task) => ({ ...task, target: `${task.target} @c=${task.concurrency}` }))
}

/** Warm-up window, statistics snapshot, measured window, statistics snapshot. */
async function measure(task: Task, options: CnnSuiteOptions, maasPort: number, maasPid: number): Promise<CnnPoint> {
  const { operation, release } = task.open()
  try {
    await runClosedLoop(task.target, operation, { concurrency: task.concurrency, warmupSeconds: options.warmupSeconds, seconds: 0 })
    const before = task.model ? await readModelStats(maasPort, task.model) : undefined
    const latencies: number[] = []
    const cpuBefore = sampleCpu(maasPid)
    const windowStart = performance.now()
    const timed: Operation = async () => {
      const started = performance.now()
      await operation()
      latencies.push(performance.now() - started)
    }
    const point = await runClosedLoop(task.target, timed, { concurrency: task.concurrency, warmupSeconds: 0, seconds: options.seconds })
    const windowUs = (performance.now() - windowStart) * 1000
    const cpuAfter = sampleCpu(maasPid)
    const after = task.model ? await readModelStats(maasPort, task.model) : undefined
    const clientCpuUs = cpuAfter.selfUs - cpuBefore.selfUs
    const serverCpuUs = cpuAfter.childUs - cpuBefore.childUs
    const sorted = Float64Array.from(latencies).sort()
    return {
      target: task.target,
      kind: task.kind,
      concurrency: task.concurrency,
      batch: task.batch,
      requests: point.requests,
      errors: point.errors,
      firstError: point.firstError,
      samplesPerSecond: point.throughput * task.batch,
      mean: sorted.reduce((sum, latency) => sum + latency, 0) / sorted.length,
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      ...(before && after ? { stats: diffModelStats(before, after) } : {}),
      clientCpuUs: clientCpuUs / latencies.length,
      serverCpuUs: task.kind === 'server' ? serverCpuUs / latencies.length : Number.NaN,
      // The echo child's CPU is not sampled, so an echo window counts the load generator only.
      coresBusy: (clientCpuUs + (task.kind === 'server' ? serverCpuUs : 0)) / windowUs,
    }
  } finally {
    release()
  }
}

function medianRound(rounds: readonly CnnPoint[]): CnnPoint {
  const sorted = [...rounds].sort((a, b) => a.samplesPerSecond - b.samplesPerSecond)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!
  const errors = rounds.reduce((sum, point) => sum + point.errors, 0)
  return { ...median, errors, firstError: rounds.find((point) => point.firstError)?.firstError }
}

/** Fails fast unless maas answers the CNN with a [1, 10] binary output and `simple` with 200. */
async function checkResponses(port: number, fixture: CnnFixture): Promise<void> {
  const models = [...fixture.variants.map((variant) => [variant.name, fixture.cnnRequest] as const), [SIMPLE_MODEL, fixture.simpleRequest] as const]
  for (const [model, request] of models) {
    const response = await fetch(`http://127.0.0.1:${port}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(request.headerLength) },
      body: request.body,
    })
    const bytes = Buffer.from(await response.arrayBuffer())
    if (response.status !== 200) throw new Error(`${model}: HTTP ${response.status}: ${bytes.toString('utf8', 0, 500)}`)
    if (model === SIMPLE_MODEL) continue
    const headerLength = Number(response.headers.get('inference-header-content-length') ?? bytes.length)
    const output = JSON.parse(bytes.toString('utf8', 0, headerLength)).outputs?.[0]
    if (output?.name !== CNN_OUTPUT || output.shape?.join(',') !== '1,10' || bytes.length - headerLength !== 40) {
      throw new Error(`${model}: unexpected response ${bytes.toString('utf8', 0, 500)}`)
    }
  }
}
