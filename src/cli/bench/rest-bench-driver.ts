/**
 * @module cli/bench/rest-bench-driver
 * KServe v2 REST for `maas bench`: JSON bodies (`rest`) or the binary tensor data extension
 * with binary outputs (`rest-binary`). Bodies are built once per load; requests go out on a
 * keep-alive node:http agent with one socket per worker, and the whole response is read.
 */
import http from 'node:http'
import { BenchSetupError } from './bench-setup-error.ts'
import type { BenchDriver, InferLoad, InferTarget, ModelMetadata } from './bench-driver.ts'
import { parseModelStat, type StatisticsSnapshot } from './server-statistics.ts'

export const DEFAULT_REST_URL = 'http://127.0.0.1:8000'

export class RestBenchDriver implements BenchDriver {
  readonly endpoint: string
  readonly #url: URL
  readonly #binary: boolean

  constructor(url: string | undefined, options: { readonly binary: boolean }) {
    const text = url ?? DEFAULT_REST_URL
    try {
      this.#url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `http://${text}`)
    } catch {
      throw new BenchSetupError(`--url '${text}' is not a URL (expected http://host:port)`)
    }
    if (this.#url.protocol !== 'http:') throw new BenchSetupError(`--url '${text}': only http:// is supported`)
    this.endpoint = this.#url.origin
    this.#binary = options.binary
  }

  async modelMetadata(model: string, version: string | undefined): Promise<ModelMetadata> {
    const body = (await this.#getJson(modelPath(model, version), `model '${model}'${version ? ` version ${version}` : ''}`)) as ModelMetadata
    return { ...body, inputs: body.inputs ?? [], outputs: body.outputs ?? [], versions: body.versions ?? (version ? [version] : []) }
  }

  async modelStatistics(model: string, version: string): Promise<StatisticsSnapshot> {
    const body = (await this.#getJson(`${modelPath(model, version)}/stats`, 'statistics')) as { model_stats?: unknown[] }
    return parseModelStat(body.model_stats?.[0])
  }

  createLoad(target: InferTarget, concurrency: number): InferLoad {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency })
    const { body, headers } = this.#binary ? binaryBody(target) : jsonBody(target)
    const options: http.RequestOptions = {
      host: this.#url.hostname.replace(/^\[|\]$/g, ''),
      port: this.#url.port || 80,
      path: `${modelPath(target.model, target.version)}/infer`,
      method: 'POST',
      agent,
      headers: { ...headers, 'Content-Length': String(body.length) },
    }
    return { operation: () => post(options, body), release: () => agent.destroy() }
  }

  close(): void {}

  async #getJson(path: string, what: string): Promise<unknown> {
    let response: Response
    try {
      response = await fetch(new URL(path, this.#url), { signal: AbortSignal.timeout(10_000) })
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause
      throw new BenchSetupError(`cannot reach the server at ${this.endpoint}: ${cause?.code ?? cause?.message ?? (error as Error).message}`)
    }
    const text = await response.text()
    if (response.status === 404) throw new BenchSetupError(`${what} not found at ${this.endpoint}: ${errorOf(text)}`)
    if (response.status !== 200) throw new BenchSetupError(`GET ${path} at ${this.endpoint}: HTTP ${response.status}: ${errorOf(text)}`)
    try {
      return JSON.parse(text)
    } catch {
      throw new BenchSetupError(`GET ${path} at ${this.endpoint} did not answer JSON: ${text.slice(0, 200)}`)
    }
  }
}

function modelPath(model: string, version: string | undefined): string {
  return `/v2/models/${encodeURIComponent(model)}${version ? `/versions/${encodeURIComponent(version)}` : ''}`
}

function errorOf(text: string): string {
  try {
    return String((JSON.parse(text) as { error?: unknown }).error ?? text)
  } catch {
    return text.slice(0, 200)
  }
}

function jsonBody(target: InferTarget): { body: Buffer; headers: Record<string, string> } {
  const inputs = target.inputs.map(({ name, shape, datatype, json }) => ({ name, shape, datatype, data: json }))
  return { body: Buffer.from(JSON.stringify({ inputs })), headers: { 'Content-Type': 'application/json' } }
}

function binaryBody(target: InferTarget): { body: Buffer; headers: Record<string, string> } {
  const header = Buffer.from(
    JSON.stringify({
      parameters: { binary_data_output: true },
      inputs: target.inputs.map(({ name, shape, datatype, raw }) => ({ name, shape, datatype, parameters: { binary_data_size: raw.length } })),
    }),
  )
  return {
    body: Buffer.concat([header, ...target.inputs.map((input) => input.raw)]),
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
  }
}

/** POSTs `body`, reads the whole response; rejects on a socket error or a status other than 200. */
function post(options: http.RequestOptions, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(options, (response) => {
      const ok = response.statusCode === 200
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => {
        if (!ok) chunks.push(chunk)
      })
      response.on('error', reject)
      response.on('end', () => {
        if (ok) resolve()
        else reject(new Error(`HTTP ${response.statusCode}: ${errorOf(Buffer.concat(chunks).toString('utf8'))}`))
      })
    })
    request.on('error', reject)
    request.end(body)
  })
}
