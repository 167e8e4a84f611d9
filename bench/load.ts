/**
 * @module bench/load
 * A closed-loop load generator: N workers each issue one operation, wait for it, and issue
 * the next, for a warm-up and then a measured window. The operation is any async call —
 * an HTTP request on a keep-alive agent, or an in-process session.run — so every target is
 * driven by the same loop.
 */
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { summarisePoint, type PointResult } from './latency-stats.ts'

/** One operation; resolves when complete, throws (or rejects) on failure. */
export type Operation = () => Promise<void>

export interface LoadOptions {
  readonly concurrency: number
  readonly warmupSeconds: number
  readonly seconds: number
}

/** Runs `operation` closed-loop and reports only requests started in the measured window. */
export async function runClosedLoop(target: string, operation: Operation, options: LoadOptions): Promise<PointResult> {
  const measureStart = performance.now() + options.warmupSeconds * 1000
  const measureEnd = measureStart + options.seconds * 1000
  const latencies: number[] = []
  let errors = 0
  let firstError: string | undefined
  const worker = async (): Promise<void> => {
    for (let start = performance.now(); start < measureEnd; start = performance.now()) {
      try {
        await operation()
        if (start >= measureStart) latencies.push(performance.now() - start)
      } catch (error) {
        if (start >= measureStart) errors++
        firstError ??= (error as Error).message
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const seconds = (performance.now() - measureStart) / 1000
  return summarisePoint(target, options.concurrency, latencies, { errors, firstError, seconds })
}

export interface HttpTarget {
  readonly port: number
  readonly path: string
  readonly body: Buffer
  readonly headers: Readonly<Record<string, string>>
}

/** An Operation that POSTs a pre-built body on a keep-alive agent and reads the whole response. */
export function httpPostOperation(target: HttpTarget, agent: http.Agent): Operation {
  const headers = { ...target.headers, 'Content-Length': String(target.body.length) }
  const options: http.RequestOptions = { host: '127.0.0.1', port: target.port, path: target.path, method: 'POST', agent, headers }
  return () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(options, (response) => {
        let bytes = 0
        response.on('data', (chunk: Buffer) => (bytes += chunk.length))
        response.on('error', reject)
        response.on('end', () => {
          if (response.statusCode === 200) resolve()
          else reject(new Error(`HTTP ${response.statusCode} from ${target.path} (${bytes} bytes)`))
        })
      })
      request.on('error', reject)
      request.end(target.body)
    })
}

/** A keep-alive agent with one socket per worker, so no request waits for a socket. */
export function createKeepAliveAgent(concurrency: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency })
}
