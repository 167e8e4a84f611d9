/**
 * @module bench/bounds-suite
 * The `bounds` suite: how far the transport targets can be reached at all on this
 * machine. It runs the bare echo and the floor servers of floor-child.ts (the least work a
 * server can do for the same requests: no validation, routing, auth or statistics) under the
 * load generator of the `rest` and `grpc` suites, back to back per concurrency, and prints
 * floor ÷ echo next to each target: maas does at least a floor's work, so maas ÷ echo can be
 * no better. For the CNN target it adds the CPU arithmetic: at the wanted rate the load
 * generator, the floor's HTTP work and ORT's compute per sample must fit in the cores.
 * maas (REST binary, JSON, gRPC) runs in the same rounds, with the CPU each request costs
 * it, so "maas ÷ its floor" says how much of the reachable throughput maas reaches.
 * Knobs: the common BENCH_* ones (rounds, seconds, concurrencies, BENCH_ONLY).
 */
import { readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { GrpcBenchDriver } from '../src/cli/bench/grpc-bench-driver.ts'
import { startChildServer, type ChildServer } from './child-server.ts'
import { buildCnnModel, CNN_INPUT, CNN_OUTPUT, CNN_SAMPLE_SHAPE, CNN_SAMPLE_SIZE } from './cnn-fixture.ts'
import { binaryTarget, grpcInput } from './grpc-suite.ts'
import { medianPoint, type PointResult } from './latency-stats.ts'
import { createKeepAliveAgent, httpPostOperation, runClosedLoop, type Operation } from './load.ts'
import { createMlpFixture, MODEL_NAME, type MlpFixture } from './mlp-fixture.ts'
import { sampleCpu } from './process-cpu.ts'
import { formatErrors, formatTable, type ReportFormat } from './report.ts'
import type { SuiteOptions } from './rest-suite.ts'

/** Each target: the server it needs (floor-child mode or the echo) and how it is driven. */
const TARGETS = {
  'echo binary': { server: 'echo', drive: 'binary' },
  'echo JSON': { server: 'echo', drive: 'json' },
  'floor HTTP': { server: 'http-nothing', drive: 'binary' },
  'floor binary': { server: 'http-binary', drive: 'binary' },
  'floor binary batched': { server: 'http-binary-batched', drive: 'binary' },
  'floor JSON': { server: 'http-json', drive: 'json' },
  'floor JSON scanned': { server: 'http-json-scanned', drive: 'json' },
  'floor grpc-js': { server: 'grpcjs-nothing', drive: 'grpc' },
  'floor http2': { server: 'h2-nothing', drive: 'grpc' },
  'maas binary': { server: 'maas', drive: 'binary' },
  'maas JSON': { server: 'maas', drive: 'json' },
  'maas gRPC': { server: 'maas gRPC', drive: 'grpc' },
} as const
type Target = keyof typeof TARGETS

/** One measured point with the CPU µs per request of the load generator and of the server. */
export interface BoundsPoint extends PointResult {
  readonly clientUs: number
  readonly serverUs: number
}

export async function runBoundsReport(options: SuiteOptions, format: ReportFormat): Promise<string> {
  const fixture = createMlpFixture()
  const servers = new Map<string, ChildServer>()
  try {
    const modelPath = path.join(fixture.repository, MODEL_NAME, '1', 'model.onnx')
    for (const server of new Set(Object.values(TARGETS).map((target) => target.server))) {
      if (server !== 'maas' && server !== 'maas gRPC') servers.set(server, await (server === 'echo' ? startChildServer('echo-child.ts') : startChildServer('floor-child.ts', [server, modelPath])))
    }
    const infoFile = `${fixture.repository}.grpc-info`
    const maas = await startChildServer('serve-grpc-child.ts', [fixture.repository, infoFile])
    const { grpcPort } = JSON.parse(readFileSync(infoFile, 'utf8')) as { grpcPort: number }
    rmSync(infoFile)
    servers.set('maas', maas).set('maas gRPC', { ...maas, port: grpcPort })
    const selected = (Object.keys(TARGETS) as Target[]).filter((name) => !options.only?.length || options.only.some((part) => name.toLowerCase().includes(part.toLowerCase())))
    const rounds = new Map<string, BoundsPoint[]>()
    for (let round = 0; round < options.rounds; round++) {
      for (const concurrency of options.concurrencies) {
        for (const name of round % 2 === 0 ? selected : [...selected].reverse()) {
          const point = await measure(name, servers.get(TARGETS[name].server)!, fixture, concurrency, options)
          options.onPoint?.(point, round)
          rounds.set(`${name}@${concurrency}`, [...(rounds.get(`${name}@${concurrency}`) ?? []), point])
        }
      }
    }
    const points = [...rounds.values()].map((list) => medianPoint(list) as BoundsPoint)
    console.error('  ORT in-process on the seed CNN…')
    const cnn = await bestCnnBatch()
    return formatBounds(points, cnn, format)
  } finally {
    await Promise.all([...servers].filter(([name]) => name !== 'maas gRPC').map(([, server]) => server.stop()))
    fixture.remove()
  }
}

async function measure(name: Target, server: ChildServer, fixture: MlpFixture, concurrency: number, options: SuiteOptions): Promise<BoundsPoint> {
  const { drive } = TARGETS[name]
  const agent = createKeepAliveAgent(concurrency)
  const driver = drive === 'grpc' ? new GrpcBenchDriver(`127.0.0.1:${server.port}`) : undefined
  const load = driver?.createLoad({ model: MODEL_NAME, version: '1', inputs: [grpcInput(fixture)] }, concurrency)
  const http = drive === 'json' ? { ...binaryTarget(fixture, server.port), body: fixture.jsonBody, headers: { 'Content-Type': 'application/json' } } : binaryTarget(fixture, server.port)
  const inner: Operation = load?.operation ?? httpPostOperation(http, agent)
  let calls = 0
  const operation: Operation = () => {
    calls++
    return inner()
  }
  try {
    await inner() // fails fast on a broken setup
    const before = sampleCpu(server.pid)
    const point = await runClosedLoop(name, operation, { ...options, concurrency })
    const after = sampleCpu(server.pid)
    return { ...point, clientUs: (after.selfUs - before.selfUs) / calls, serverUs: (after.childUs - before.childUs) / calls }
  } finally {
    load?.release()
    driver?.close()
    agent.destroy()
  }
}

interface CnnCompute {
  readonly batch: number
  readonly samplesPerSecond: number
  /** CPU µs per sample of the ORT runs at that batch (one intra-op thread). */
  readonly cpuUsPerSample: number
}

/** The seed CNN run in this process at batch 1…64, one intra-op thread; the batch with the most samples/s. */
async function bestCnnBatch(): Promise<CnnCompute> {
  const session = await ort.InferenceSession.create(buildCnnModel('seed'), { intraOpNumThreads: 1, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } })
  let best: CnnCompute | undefined
  for (const batch of [1, 2, 4, 8, 16, 32, 64]) {
    const input = Float32Array.from({ length: batch * CNN_SAMPLE_SIZE }, () => Math.random())
    const run = () => session.run({ [CNN_INPUT]: new ort.Tensor('float32', input, [batch, ...CNN_SAMPLE_SHAPE]) }, [CNN_OUTPUT])
    for (let index = 0; index < 3; index++) await run()
    let samples = 0
    const cpu = process.cpuUsage()
    const start = performance.now()
    while (performance.now() - start < 1000) {
      await run()
      samples += batch
    }
    const seconds = (performance.now() - start) / 1000
    const used = process.cpuUsage(cpu)
    const result = { batch, samplesPerSecond: samples / seconds, cpuUsPerSample: (used.user + used.system) / samples }
    if (!best || result.samplesPerSecond > best.samplesPerSecond) best = result
  }
  await session.release()
  return best!
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—')

function formatBounds(points: readonly BoundsPoint[], cnn: CnnCompute, format: ReportFormat): string {
  const find = (target: Target, concurrency: number) => points.find((point) => point.target === target && point.concurrency === concurrency)
  const concurrencies = [...new Set(points.map((point) => point.concurrency))]
  const measured = formatTable(
    ['target', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'client CPU µs/req', 'server CPU µs/req'],
    points.map((point) => [point.target, String(point.concurrency), fixed(point.throughput), fixed(point.p50, 3), fixed(point.p99, 3), String(point.errors), fixed(point.clientUs), fixed(point.serverUs)]),
    format,
  )
  const ratio = (numerators: readonly Target[], denominator: Target, concurrency: number) => {
    const best = Math.max(...numerators.map((target) => find(target, concurrency)?.throughput ?? Number.NaN))
    return best / (find(denominator, concurrency)?.throughput ?? Number.NaN)
  }
  const bounds: [string, string, number, (concurrency: number) => number][] = [
    ['maas binary / echo binary', 'best of floor binary, floor binary batched', 1.0, (c) => ratio(['floor binary', 'floor binary batched'], 'echo binary', c)],
    ['maas JSON / echo JSON', 'best of floor JSON, floor JSON scanned', 0.8, (c) => ratio(['floor JSON', 'floor JSON scanned'], 'echo JSON', c)],
    ['maas gRPC / echo binary', 'floor grpc-js (nothing decoded, fixed answer)', 1.0, (c) => ratio(['floor grpc-js'], 'echo binary', c)],
    ['(any gRPC server on node:http2) / echo binary', 'floor http2', 1.0, (c) => ratio(['floor http2'], 'echo binary', c)],
  ]
  const verdict = (value: number, target: number) => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)}×${value < target ? ' (target out of reach)' : ''}`)
  const boundTable = formatTable(
    ['ratio with a target', 'upper bound: floor server', 'target', ...concurrencies.map((c) => `bound c=${c}`)],
    bounds.map(([label, floor, target, at]) => [label, floor, `≥ ${target}×`, ...concurrencies.map((c) => verdict(at(c), target))]),
    format,
  )
  const efficiency = formatTable(
    ['maas ÷ its floor (throughput)', ...concurrencies.map((c) => `c=${c}`)],
    ([['maas binary', ['floor binary', 'floor binary batched']], ['maas JSON', ['floor JSON', 'floor JSON scanned']], ['maas gRPC', ['floor grpc-js']]] as const).map(([maas, floors]) => [
      `${maas} ÷ best of ${floors.join(', ')}`,
      ...concurrencies.map((c) => {
        const value = (find(maas, c)?.throughput ?? Number.NaN) / Math.max(...floors.map((floor) => find(floor, c)?.throughput ?? Number.NaN))
        return Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)}×`
      }),
    ]),
    format,
  )
  const errors = formatErrors(points)
  return [measured, '', boundTable, '', efficiency, '', formatCnnBound(find('floor HTTP', Math.max(...concurrencies)), cnn), ...(errors ? ['', errors] : [])].join('\n')
}

/**
 * The CNN target (batched maas ≥ 0.9× ORT in-process at its best batch) in CPU terms: every
 * sample served costs the load generator's and the floor server's CPU for one HTTP request
 * plus ORT's compute for one sample at the best batch, and the cores cap the sum.
 */
function formatCnnBound(http: BoundsPoint | undefined, cnn: CnnCompute): string {
  const cores = os.availableParallelism()
  const lines = [`ORT in-process, seed CNN, best batch ${cnn.batch}: ${fixed(cnn.samplesPerSecond)} samples/s, ${fixed(cnn.cpuUsPerSample)} CPU µs per sample.`]
  if (!http) return lines.join('\n')
  const perSample = http.clientUs + http.serverUs + cnn.cpuUsPerSample
  const ceiling = (cores * 1e6) / perSample
  lines.push(
    `At c=${http.concurrency} one HTTP request of the same size costs the load generator ${fixed(http.clientUs)} µs and the floor server ${fixed(http.serverUs)} µs of CPU (floor HTTP).`,
    `Any server on these ${cores} cores, fed by this load generator, serves at most ${cores} × 10⁶ / (${fixed(http.clientUs)} + ${fixed(http.serverUs)} + ${fixed(cnn.cpuUsPerSample)}) = ` +
      `${fixed(ceiling)} samples/s = ${(ceiling / cnn.samplesPerSecond).toFixed(2)}× ORT in-process (target ≥ 0.9×${ceiling / cnn.samplesPerSecond < 0.9 ? ': out of reach' : ''}).`,
  )
  return lines.join('\n')
}
