/**
 * @module bench/rest-suite
 * The `rest` suite: maas REST JSON and REST binary against a bare node:http echo of the
 * same bodies and against onnxruntime-node in-process, at each concurrency. For every
 * concurrency the targets run back to back (order reversed on alternate rounds), so the
 * ratios compare measurements taken under the same machine load.
 */
import { createKeepAliveAgent, httpPostOperation, runClosedLoop, type HttpTarget, type Operation } from './load.ts'
import { medianPoint, type PointResult } from './latency-stats.ts'
import { startChildServer, type ChildServer } from './child-server.ts'
import { createMlpFixture, MODEL_NAME, OUTPUT_NAME, type MlpFixture } from './mlp-fixture.ts'
import { createOrtRunner } from './ort-in-process.ts'

export const REST_TARGETS = ['echo JSON', 'maas JSON', 'echo binary', 'maas binary', 'ORT in-process'] as const
export type RestTarget = (typeof REST_TARGETS)[number]

/** A ratio the issue sets a target for (or, with no `target`, one printed for context). */
export interface RatioSpec {
  readonly label: string
  readonly numerator: RestTarget
  readonly denominator: RestTarget
  readonly target?: number
}

export const REST_RATIOS: readonly RatioSpec[] = [
  { label: 'maas JSON / echo JSON', numerator: 'maas JSON', denominator: 'echo JSON', target: 0.8 },
  { label: 'maas binary / echo binary', numerator: 'maas binary', denominator: 'echo binary', target: 1.0 },
  { label: 'maas binary / ORT in-process', numerator: 'maas binary', denominator: 'ORT in-process' },
]

export interface SuiteOptions {
  readonly concurrencies: readonly number[]
  readonly warmupSeconds: number
  readonly seconds: number
  readonly rounds: number
  /** Only the targets whose names contain one of these (case-insensitive); all when empty. */
  readonly only?: readonly string[]
  /** Called after each measured point, for progress output. */
  readonly onPoint?: (point: PointResult, round: number) => void
}

export async function runRestSuite(options: SuiteOptions): Promise<PointResult[]> {
  const fixture = createMlpFixture()
  const servers: ChildServer[] = []
  try {
    const maas = await startChildServer('serve-child.ts', [fixture.repository])
    servers.push(maas)
    const echo = await startChildServer('echo-child.ts')
    servers.push(echo)
    const ort = await createOrtRunner(fixture.modelBytes, fixture.input)
    const http = httpTargets(fixture, maas.port, echo.port)
    await checkResponses(http)
    const rounds = new Map<string, PointResult[]>()
    for (let round = 0; round < options.rounds; round++) {
      for (const concurrency of options.concurrencies) {
        const agent = createKeepAliveAgent(concurrency)
        const selected = REST_TARGETS.filter((target) => isSelected(target, options.only))
        const order = round % 2 === 0 ? selected : [...selected].reverse()
        for (const target of order) {
          const operation: Operation = target === 'ORT in-process' ? ort.operation : httpPostOperation(http[target], agent)
          const point = await runClosedLoop(target, operation, { ...options, concurrency })
          options.onPoint?.(point, round)
          const key = `${target}@${concurrency}`
          rounds.set(key, [...(rounds.get(key) ?? []), point])
        }
        agent.destroy()
      }
    }
    await ort.release()
    return [...rounds.values()].map(medianPoint)
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    fixture.remove()
  }
}

function isSelected(target: string, only: readonly string[] | undefined): boolean {
  return !only?.length || only.some((part) => target.toLowerCase().includes(part.toLowerCase()))
}

function httpTargets(fixture: MlpFixture, maasPort: number, echoPort: number): Record<Exclude<RestTarget, 'ORT in-process'>, HttpTarget> {
  const path = `/v2/models/${MODEL_NAME}/infer`
  const json = { body: fixture.jsonBody, headers: { 'Content-Type': 'application/json' } }
  const binary = {
    body: fixture.binaryBody,
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(fixture.binaryHeaderLength) },
  }
  return {
    'echo JSON': { port: echoPort, path, ...json },
    'maas JSON': { port: maasPort, path, ...json },
    'echo binary': { port: echoPort, path, ...binary },
    'maas binary': { port: maasPort, path, ...binary },
  }
}

/** Fails fast unless maas answers both encodings with the model's [1, 10] output. */
async function checkResponses(targets: ReturnType<typeof httpTargets>): Promise<void> {
  for (const name of ['maas JSON', 'maas binary'] as const) {
    const { port, path, body, headers } = targets[name]
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers, body })
    const bytes = Buffer.from(await response.arrayBuffer())
    if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status}: ${bytes.toString('utf8', 0, 500)}`)
    const headerLength = Number(response.headers.get('inference-header-content-length') ?? bytes.length)
    const output = JSON.parse(bytes.toString('utf8', 0, headerLength)).outputs?.[0]
    const valid = output?.name === OUTPUT_NAME && output.shape?.join(',') === '1,10'
    const binarySize = output?.parameters?.binary_data_size
    if (!valid || (name === 'maas binary' && (binarySize !== 40 || bytes.length - headerLength !== 40))) {
      throw new Error(`${name}: unexpected response ${bytes.toString('utf8', 0, 500)}`)
    }
  }
}
