/**
 * @module bench/bounds-suite
 * The `bounds` suite: how far the transport targets can be reached at all on this machine.
 * It runs the bare echo, the floor servers of floor-child.ts (the least work a server can do
 * for the same requests: no validation, routing, auth or statistics) and maas under the load
 * generator of the `rest` and `grpc` suites, all targets of a concurrency back to back in
 * each round (order reversed on alternate rounds), with the CPU each request costs the load
 * generator and the server. Then, with the servers stopped, it runs the seed CNN in this
 * process at batch 1…64 for the CNN target's CPU arithmetic. bounds-report.ts prints it.
 * Knobs: the common BENCH_* ones (rounds, seconds, concurrencies, BENCH_ONLY).
 */
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { GrpcBenchDriver } from '../src/cli/bench/grpc-bench-driver.ts'
import { startChildServer, type ChildServer } from './child-server.ts'
import { buildCnnModel, CNN_INPUT, CNN_OUTPUT, CNN_SAMPLE_SHAPE, CNN_SAMPLE_SIZE } from './cnn-fixture.ts'
import { binaryTarget, grpcInput } from './grpc-suite.ts'
import type { PointResult } from './latency-stats.ts'
import { createKeepAliveAgent, httpPostOperation, runClosedLoop, type HttpTarget, type Operation } from './load.ts'
import { createMlpFixture, MODEL_NAME, type MlpFixture } from './mlp-fixture.ts'
import { createMaasLikeSession } from './ort-in-process.ts'
import { sampleCpu } from './process-cpu.ts'
import type { SuiteOptions } from './rest-suite.ts'

/** Each target: the server process it needs (a floor-child mode, the echo or maas) and how it is driven. */
export const BOUNDS_TARGETS = {
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
  'maas gRPC': { server: 'maas', drive: 'grpc' },
} as const
export type BoundsTarget = keyof typeof BOUNDS_TARGETS

/** One measured point with the CPU µs per request of the load generator and of the server. */
export interface BoundsPoint extends PointResult {
  readonly clientUs: number
  readonly serverUs: number
}

/** The ORT in-process rate of the seed CNN at one batch size (median of the rounds). */
export interface CnnCompute {
  readonly batch: number
  readonly samplesPerSecond: number
  /** CPU µs per sample of this process while it ran (one intra-op thread, as maas). */
  readonly cpuUsPerSample: number
}

export interface BoundsResult {
  /** rounds[r] holds round r's points, one per target and concurrency. */
  readonly rounds: readonly (readonly BoundsPoint[])[]
  readonly cnn: readonly CnnCompute[]
}

/** A served endpoint: the HTTP port, and maas's gRPC port. */
interface Endpoint {
  readonly port: number
  readonly grpcPort?: number
  readonly pid: number
}

export async function runBoundsSuite(options: SuiteOptions): Promise<BoundsResult> {
  const fixture = createMlpFixture()
  const children: ChildServer[] = []
  const infoFile = `${fixture.repository}.grpc-info`
  const rounds: BoundsPoint[][] = []
  try {
    const modelPath = path.join(fixture.repository, MODEL_NAME, '1', 'model.onnx')
    const selected = (Object.keys(BOUNDS_TARGETS) as BoundsTarget[]).filter((name) => !options.only?.length || options.only.some((part) => name.toLowerCase().includes(part.toLowerCase())))
    const endpoints = new Map<string, Endpoint>()
    for (const server of new Set(selected.map((name) => BOUNDS_TARGETS[name].server))) {
      endpoints.set(server, await startServer(server, children, { modelPath, repository: fixture.repository, infoFile }))
    }
    for (let round = 0; round < options.rounds; round++) {
      const points: BoundsPoint[] = []
      for (const concurrency of options.concurrencies) {
        for (const name of round % 2 === 0 ? selected : [...selected].reverse()) {
          const point = await measure(name, endpoints.get(BOUNDS_TARGETS[name].server)!, fixture, concurrency, options)
          options.onPoint?.(point, round)
          points.push(point)
        }
      }
      rounds.push(points)
    }
  } finally {
    await Promise.all(children.map((child) => child.stop()))
    rmSync(infoFile, { force: true })
    fixture.remove()
  }
  console.error('  ORT in-process on the seed CNN…')
  return { rounds, cnn: await cnnComputeByBatch(options.rounds) }
}

async function startServer(server: string, children: ChildServer[], files: { modelPath: string; repository: string; infoFile: string }): Promise<Endpoint> {
  if (server === 'echo') return remember(children, await startChildServer('echo-child.ts'))
  if (server !== 'maas') return remember(children, await startChildServer('floor-child.ts', [server, files.modelPath]))
  const maas = remember(children, await startChildServer('serve-grpc-child.ts', [files.repository, files.infoFile]))
  const { grpcPort } = JSON.parse(readFileSync(files.infoFile, 'utf8')) as { grpcPort: number }
  return { port: maas.port, grpcPort, pid: maas.pid }
}

function remember(children: ChildServer[], child: ChildServer): ChildServer {
  children.push(child)
  return child
}

async function measure(name: BoundsTarget, endpoint: Endpoint, fixture: MlpFixture, concurrency: number, options: SuiteOptions): Promise<BoundsPoint> {
  const { drive } = BOUNDS_TARGETS[name]
  const { operation: inner, release } = drive === 'grpc' ? grpcLoad(endpoint, fixture, concurrency) : httpLoad(drive, endpoint, fixture, concurrency)
  let calls = 0
  const operation: Operation = () => {
    calls++
    return inner()
  }
  try {
    await inner() // fails fast on a broken setup
    const before = sampleCpu(endpoint.pid)
    const point = await runClosedLoop(name, operation, { ...options, concurrency })
    const after = sampleCpu(endpoint.pid)
    return { ...point, clientUs: (after.selfUs - before.selfUs) / calls, serverUs: (after.childUs - before.childUs) / calls }
  } finally {
    release()
  }
}

function grpcLoad(endpoint: Endpoint, fixture: MlpFixture, concurrency: number): { operation: Operation; release: () => void } {
  const driver = new GrpcBenchDriver(`127.0.0.1:${endpoint.grpcPort ?? endpoint.port}`)
  const load = driver.createLoad({ model: MODEL_NAME, version: '1', inputs: [grpcInput(fixture)] }, concurrency)
  return {
    operation: load.operation,
    release: () => {
      load.release()
      driver.close()
    },
  }
}

function httpLoad(drive: 'binary' | 'json', endpoint: Endpoint, fixture: MlpFixture, concurrency: number): { operation: Operation; release: () => void } {
  const agent = createKeepAliveAgent(concurrency)
  const binary = binaryTarget(fixture, endpoint.port)
  const target: HttpTarget = drive === 'json' ? { ...binary, body: fixture.jsonBody, headers: { 'Content-Type': 'application/json' } } : binary
  return { operation: httpPostOperation(target, agent), release: () => agent.destroy() }
}

/** The seed CNN run here at batch 1…64 with maas's session options, one 1-s window per batch and round; the median round per batch. */
async function cnnComputeByBatch(rounds: number): Promise<CnnCompute[]> {
  const session = await createMaasLikeSession(buildCnnModel('seed'))
  const windows = new Map<number, CnnCompute[]>()
  for (let round = 0; round < rounds; round++) {
    for (const batch of [1, 2, 4, 8, 16, 32, 64]) {
      const input = Float32Array.from({ length: batch * CNN_SAMPLE_SIZE }, () => Math.random())
      const run: Operation = async () => void (await session.run({ [CNN_INPUT]: new ort.Tensor('float32', input, [batch, ...CNN_SAMPLE_SHAPE]) }, [CNN_OUTPUT]))
      let calls = 0
      const cpu = process.cpuUsage()
      // One caller: onnxruntime-node serialises session.run, so one sees the session's full rate.
      const point = await runClosedLoop(`ORT b=${batch}`, () => (calls++, run()), { concurrency: 1, warmupSeconds: 0.05, seconds: 1 })
      const used = process.cpuUsage(cpu)
      const window = { batch, samplesPerSecond: point.throughput * batch, cpuUsPerSample: (used.user + used.system) / (calls * batch) }
      windows.set(batch, [...(windows.get(batch) ?? []), window])
    }
  }
  await session.release()
  return [...windows.values()].map((list) => [...list].sort((a, b) => a.samplesPerSecond - b.samplesPerSecond)[Math.floor((list.length - 1) / 2)]!)
}
