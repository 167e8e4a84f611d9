import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { defaultConfig } from '../src/config/config.ts'
import { createLogger } from '../src/server/logger.ts'
import { MaasServer } from '../src/server/maas-server.ts'
import { postJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => (server = await startTestServer()))
after(() => server.close())

async function scrape(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`)
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/)
  return response.text()
}

function value(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : 0
}

test('counts inference requests by model, version and outcome, with latency histograms', async () => {
  const before = await scrape()
  const ok = { inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [1, 4], data: [0, 0, 0, 0] }] }
  await postJson(`${server.url}/v2/models/versioned/infer`, ok)
  await postJson(`${server.url}/v2/models/versioned/infer`, ok)
  await postJson(`${server.url}/v2/models/versioned/infer`, { inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [1, 3], data: [0, 0, 0] }] })
  const after = await scrape()
  const success = 'maas_inference_requests_total{model="versioned",version="3",outcome="success"}'
  const invalid = 'maas_inference_requests_total{model="versioned",version="3",outcome="INVALID_ARGUMENT"}'
  assert.equal(value(after, success) - value(before, success), 2)
  assert.equal(value(after, invalid) - value(before, invalid), 1)
  const request = 'maas_inference_request_duration_seconds_count{model="versioned",version="3"}'
  assert.equal(value(after, request) - value(before, request), 3)
  for (const histogram of ['queue', 'compute']) {
    const series = `maas_inference_${histogram}_duration_seconds_count{model="versioned",version="3"}`
    assert.equal(value(after, series) - value(before, series), 2, `${series}: only requests that reached the model`)
  }
  assert.equal(value(after, 'maas_inference_inflight_requests{model="versioned",version="3"}'), 0)
  assert.match(after, /maas_http_responses_total\{route="\/v2\/models\/\{model\}\/infer",status="400"\} \d+/)
})

test('process metrics are exported when enabled', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'maas-data-'))
  const withProcess = await MaasServer.create(
    { ...defaultConfig(), modelRepository: server.repository, dataDir, registryUrl: path.join(dataDir, 'registry.sqlite'), artifactsDir: path.join(dataDir, 'artifacts'), httpPort: 0, grpcPort: 0, auth: false, bootstrap: false },
    createLogger('silent'),
  )
  const { http } = await withProcess.start()
  try {
    const text = await (await fetch(`http://127.0.0.1:${http.port}/metrics`)).text()
    assert.match(text, /process_cpu_seconds_total/)
    assert.match(text, /nodejs_eventloop_lag_seconds/)
  } finally {
    await withProcess.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
