/**
 * Usage metering and the admin key bootstrap on a real server: inferences over KServe and
 * TF Serving REST are counted per key, model, version and day (`GET /v1/usage`, merged with
 * what is not flushed yet, then in the registry after a flush), exported as maas_usage_*
 * counters, per API key once authentication is on; and a first start writes an admin key
 * file (mode 0600, never overwritten) or registers MAAS_ADMIN_KEY.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { generateApiKey } from '../src/control/api-key.ts'
import { defaultConfig } from '../src/config/config.ts'
import { ApiKeyAuthenticator } from '../src/server/auth/api-key-authenticator.ts'
import { createLogger } from '../src/server/logger.ts'
import { MaasServer } from '../src/server/maas-server.ts'
import { createFixtureRepository } from './support/fixture-repository.ts'
import { postJson, requestJson, startTestServer, type TestServer } from './support/test-server.ts'

const row = (start: number) => Array.from({ length: 16 }, (_, i) => start + i)
const simpleBatch = (rows: number) => ({
  inputs: [
    { name: 'INPUT0', datatype: 'INT32', shape: [rows, 16], data: Array.from({ length: rows }, () => row(0)).flat() },
    { name: 'INPUT1', datatype: 'INT32', shape: [rows, 16], data: Array.from({ length: rows }, () => row(1)).flat() },
  ],
})

describe('usage metering', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  test('counts requests, samples, errors and compute time of real inferences, before and after the flush', async () => {
    assert.equal((await postJson(`${server.url}/v2/models/simple/infer`, simpleBatch(3))).status, 200)
    assert.equal((await postJson(`${server.url}/v2/models/simple/infer`, simpleBatch(1))).status, 200)
    const predict = await postJson(`${server.url}/v1/models/simple:predict`, { instances: [{ INPUT0: row(0), INPUT1: row(1) }] })
    assert.equal(predict.status, 200)
    const wrongType = { inputs: simpleBatch(1).inputs.map((input) => ({ ...input, datatype: 'FP32' })) }
    assert.equal((await postJson(`${server.url}/v2/models/simple/infer`, wrongType)).status, 400)
    assert.equal((await postJson(`${server.url}/v2/models/nope/infer`, simpleBatch(1))).status, 404, 'an unknown model is not metered')

    const today = new Date().toISOString().slice(0, 10)
    const unflushed = await requestJson(`${server.url}/v1/usage?model=simple&from=${today}&to=${today}`)
    assert.equal(unflushed.status, 200)
    assert.equal(unflushed.body.usage.length, 1)
    const [usage] = unflushed.body.usage
    assert.deepEqual([usage.key_id, usage.model, usage.version, usage.day, usage.requests, usage.samples, usage.errors], [null, 'simple', 1, today, 4, 6, 1])
    assert.ok(usage.compute_ns > 0 && usage.compute_seconds === usage.compute_ns / 1e9)
    assert.deepEqual(unflushed.body.totals.requests, 4)

    await server.server.usage.flush()
    const stored = await server.server.registry.usage.list({ model: 'simple' })
    assert.deepEqual(stored.map((record) => [record.requests, record.samples, record.errors]), [[4, 6, 1]])
    const flushed = await requestJson(`${server.url}/v1/usage?key=anonymous&model=simple`)
    assert.equal(flushed.body.usage[0].requests, 4, 'flushed counts are not counted twice')
    assert.deepEqual((await requestJson(`${server.url}/v1/usage?key=someone-else`)).body, { usage: [], totals: { requests: 0, samples: 0, errors: 0, compute_ns: 0, compute_seconds: 0 } })
  })

  test('exports maas_usage_* counters by key and model at /metrics', async () => {
    await postJson(`${server.url}/v2/models/simple/infer`, simpleBatch(2))
    await server.server.usage.flush()
    const text = await (await fetch(`${server.url}/metrics`)).text()
    assert.match(text, /^maas_usage_requests_total\{key="anonymous",model="simple"\} [1-9]\d*$/m)
    assert.match(text, /^maas_usage_samples_total\{key="anonymous",model="simple"\} [1-9]\d*$/m)
    assert.match(text, /^maas_usage_errors_total\{key="anonymous",model="simple"\} 1$/m)
    assert.match(text, /^maas_usage_compute_seconds_total\{key="anonymous",model="simple"\} \d/m)
  })

  test('answers 400 naming the bad query parameter', async () => {
    for (const [query, message] of [
      ['from=yesterday', /'from' must be a day written YYYY-MM-DD \(UTC\), got 'yesterday'/],
      ['from=2030-01-02&to=2030-01-01', /'from' \(2030-01-02\) is after 'to'/],
      ['day=2030-01-01', /unknown query parameter 'day'/],
    ] as const) {
      const response = await requestJson(`${server.url}/v1/usage?${query}`)
      assert.equal(response.status, 400)
      assert.match(response.body.error, message)
    }
  })
})

describe('usage and audit with authentication on', () => {
  const admin = generateApiKey().key
  let server: TestServer
  before(async () => {
    server = await startTestServer({ auth: true, adminKey: admin })
  })
  after(() => server.close())
  const as = (key: string, method = 'GET', body?: unknown): RequestInit =>
    ({ method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) })

  test('counts usage per API key and names the acting key in the audit log', async () => {
    const created = await requestJson(`${server.url}/v1/keys`, as(admin, 'POST', { role: 'consumer', name: 'ci' }))
    assert.equal(created.status, 201)
    const inferred = await requestJson(`${server.url}/v2/models/simple/infer`, as(created.body.key, 'POST', simpleBatch(2)))
    assert.equal(inferred.status, 200)
    const { body } = await requestJson(`${server.url}/v1/usage?model=simple`, as(admin))
    assert.deepEqual(body.usage.map((usage: any) => [usage.key_id, usage.requests, usage.samples]), [[created.body.id, 1, 2]])
    const [entry] = (await requestJson(`${server.url}/v1/audit?action=key.create`, as(admin))).body.entries
    assert.deepEqual([entry.actor, entry.target, entry.result], ['admin', `key:${created.body.id}`, 'success'])
    assert.equal((await requestJson(`${server.url}/v1/keys`)).status, 401)
    assert.equal((await requestJson(`${server.url}/v1/keys`, as(created.body.key))).status, 403)
  })
})

describe('admin key bootstrap', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'maas-admin-'))
  const repository = createFixtureRepository()
  after(() => {
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(repository, { recursive: true, force: true })
  })
  const logs: string[] = []
  const start = async (adminKey?: string) => {
    const config = {
      ...defaultConfig(), modelRepository: repository, dataDir, registryUrl: path.join(dataDir, 'registry.sqlite'),
      artifactsDir: path.join(dataDir, 'artifacts'), httpPort: 0, grpcPort: 0, logLevel: 'info' as const, bootstrap: false,
      ...(adminKey !== undefined && { adminKey }),
    }
    const sink = new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) })
    const server = await MaasServer.create(config, createLogger('info', sink), { processMetrics: false })
    try {
      await server.start()
    } catch (error) {
      await server.stop()
      throw error
    }
    return server
  }

  test('a first start writes an admin key to <dataDir>/admin-key (0600) and logs its path, never the key', async () => {
    const server = await start()
    const file = path.join(dataDir, 'admin-key')
    const key = readFileSync(file, 'utf8').trim()
    try {
      assert.equal(statSync(file).mode & 0o777, 0o600)
      const principal = await new ApiKeyAuthenticator({ keys: server.registry.keys }).authenticateKey(key)
      assert.equal(principal.role, 'admin')
      const line = logs.map((text) => JSON.parse(text)).find((entry) => entry.path === file)
      assert.ok(line, 'the path is logged')
      assert.ok(!logs.join('').includes(key.slice(14)), 'the key is not')
    } finally {
      await server.stop()
    }
    const again = await start()
    try {
      assert.equal(readFileSync(file, 'utf8').trim(), key, 'a restart never rewrites the file')
      assert.equal((await again.keys.list()).length, 1)
    } finally {
      await again.stop()
    }
  })

  test('MAAS_ADMIN_KEY is registered at start, and a malformed one stops the start with a clear error', async () => {
    const { key } = generateApiKey()
    const server = await start(key)
    try {
      assert.equal((await new ApiKeyAuthenticator({ keys: server.registry.keys }).authenticateKey(key)).role, 'admin')
      assert.equal((await server.keys.list()).filter((stored) => stored.role === 'admin').length, 2)
    } finally {
      await server.stop()
    }
    await assert.rejects(start('not-a-key'), /MAAS_ADMIN_KEY \(setting adminKey\) is not an API key/)
  })
})
