/**
 * @module bench/grpc-suite
 * The `grpc` suite: maas over gRPC (ModelInfer with raw_input_contents, the `maas bench`
 * gRPC driver) against the bare-HTTP echo of the binary body and against maas REST binary,
 * for the 784-128-10 MLP, batch 1. As in the `rest` suite, the targets of one concurrency
 * run back to back (order reversed on alternate rounds) so ratios compare like with like.
 * Each point also logs (stderr) the CPU time per request of the load generator and of maas:
 * on a shared machine these move far less than throughput does.
 */
import { readFileSync, rmSync } from 'node:fs'
import { GrpcBenchDriver } from '../src/cli/bench/grpc-bench-driver.ts'
import { startChildServer, type ChildServer } from './child-server.ts'
import { createKeepAliveAgent, httpPostOperation, runClosedLoop, type HttpTarget, type Operation } from './load.ts'
import { medianPoint, type PointResult } from './latency-stats.ts'
import { createMlpFixture, INPUT_FEATURES, INPUT_NAME, MODEL_NAME, type MlpFixture } from './mlp-fixture.ts'
import { sampleCpu, type CpuSample } from './process-cpu.ts'
import type { RatioSpec, SuiteOptions } from './rest-suite.ts'

export const GRPC_TARGETS = ['echo binary', 'maas gRPC', 'maas binary'] as const

// report.ts looks targets up by name only; RatioSpec's RestTarget typing predates this suite.
export const GRPC_RATIOS = [
  { label: 'maas gRPC / echo binary', numerator: 'maas gRPC', denominator: 'echo binary', target: 1.0 },
  { label: 'maas binary / echo binary', numerator: 'maas binary', denominator: 'echo binary', target: 1.0 },
  { label: 'maas gRPC / maas binary', numerator: 'maas gRPC', denominator: 'maas binary' },
] as unknown as readonly RatioSpec[]

export async function runGrpcSuite(options: SuiteOptions): Promise<PointResult[]> {
  const fixture = createMlpFixture()
  const servers: ChildServer[] = []
  const grpc = { driver: undefined as GrpcBenchDriver | undefined }
  try {
    const infoFile = `${fixture.repository}.grpc-info`
    const maas = await startChildServer('serve-grpc-child.ts', [fixture.repository, infoFile])
    servers.push(maas)
    const { grpcPort } = JSON.parse(readFileSync(infoFile, 'utf8')) as { grpcPort: number }
    const maasPid = maas.pid
    rmSync(infoFile)
    const echo = await startChildServer('echo-child.ts')
    servers.push(echo)
    grpc.driver = new GrpcBenchDriver(`127.0.0.1:${grpcPort}`)
    const target = { model: MODEL_NAME, version: '1', inputs: [grpcInput(fixture)] }
    const rounds = new Map<string, PointResult[]>()
    for (let round = 0; round < options.rounds; round++) {
      for (const concurrency of options.concurrencies) {
        const agent = createKeepAliveAgent(concurrency)
        const load = grpc.driver.createLoad(target, concurrency)
        await load.operation() // fails fast on a broken setup
        const operations: Record<(typeof GRPC_TARGETS)[number], Operation> = {
          'echo binary': httpPostOperation(binaryTarget(fixture, echo.port), agent),
          'maas binary': httpPostOperation(binaryTarget(fixture, maas.port), agent),
          'maas gRPC': load.operation,
        }
        const selected = GRPC_TARGETS.filter((name) => !options.only?.length || options.only.some((part) => name.toLowerCase().includes(part.toLowerCase())))
        for (const name of round % 2 === 0 ? selected : [...selected].reverse()) {
          let calls = 0
          const counted: Operation = () => {
            calls++
            return operations[name]()
          }
          const before = sampleCpu(maasPid)
          const point = await runClosedLoop(name, counted, { ...options, concurrency })
          const after = sampleCpu(maasPid)
          options.onPoint?.(point, round)
          logCpuPerRequest(name, concurrency, before, after, calls)
          rounds.set(`${name}@${concurrency}`, [...(rounds.get(`${name}@${concurrency}`) ?? []), point])
        }
        load.release()
        agent.destroy()
      }
    }
    return [...rounds.values()].map(medianPoint)
  } finally {
    grpc.driver?.close()
    await Promise.all(servers.map((server) => server.stop()))
    fixture.remove()
  }
}

/** CPU µs per request over the whole point (warm-up included); maas's only for targets it serves. */
function logCpuPerRequest(name: string, concurrency: number, before: CpuSample, after: CpuSample, calls: number): void {
  const perCall = (us: number) => (calls > 0 ? `${(us / calls).toFixed(0)} µs` : '—')
  const server = name.startsWith('maas') ? `, maas ${perCall(after.childUs - before.childUs)}` : ''
  console.error(`      c=${concurrency} ${name}: CPU per request: load generator ${perCall(after.selfUs - before.selfUs)}${server}`)
}

export function grpcInput(fixture: MlpFixture) {
  const raw = Buffer.from(fixture.input.buffer, fixture.input.byteOffset, fixture.input.byteLength)
  return { name: INPUT_NAME, datatype: 'FP32' as const, shape: [1, INPUT_FEATURES], json: [], raw }
}

export function binaryTarget(fixture: MlpFixture, port: number): HttpTarget {
  return {
    port,
    path: `/v2/models/${MODEL_NAME}/infer`,
    body: fixture.binaryBody,
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(fixture.binaryHeaderLength) },
  }
}
