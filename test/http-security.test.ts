import assert from 'node:assert/strict'
import { status as grpcStatus } from '@grpc/grpc-js'
import { after, before, test } from 'node:test'
import { generateApiKey } from '../src/control/api-key.ts'
import { ACTION_RULES } from '../src/server/auth/permissions.ts'
import { RPC_ACTIONS } from '../src/server/grpc/grpc-security.ts'
import { ROUTE_ACTIONS } from '../src/server/http/route-actions.ts'
import { expectGrpcError, GrpcTestClient } from './support/grpc-test-client.ts'
import { buildVersionMarker, writeModel } from './support/fixture-repository.ts'
import { requestJson, startTestServer, type TestServer } from './support/test-server.ts'

const ADMIN = generateApiKey().key
let server: TestServer
let grpc: GrpcTestClient
const keys: Record<string, string> = {}

const auth = (key: string | undefined): Record<string, string> => (key === undefined ? {} : { Authorization: `Bearer ${key}` })
const body = JSON.stringify({ inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [1, 4], data: [0, 0, 0, 0] }] })
const infer = (model: string, key?: string) =>
  requestJson(`${server.url}/v2/models/${model}/infer`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth(key) }, body })

before(async () => {
  server = await startTestServer({ auth: true, adminKey: ADMIN, keyRate: 1000, dailyRequests: 100_000 })
  grpc = new GrpcTestClient(server.grpcAddress)
  writeModel(server.repository, 'secret', 1, buildVersionMarker(1))
  await requestJson(`${server.url}/v2/repository/models/secret/load`, { method: 'POST', headers: auth(ADMIN) })
  await server.server.registry.models.update('secret', { visibility: 'private', owner: 'owner-key' })
  for (const [name, role, models] of [['consumer', 'consumer', undefined], ['granted', 'consumer', ['secret']], ['publisher', 'publisher', undefined], ['publisher2', 'publisher', undefined], ['revoked', 'consumer', undefined]] as const) {
    const created = await requestJson(`${server.url}/v1/keys`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth(ADMIN) }, body: JSON.stringify({ name, role, ...(models ? { models } : {}) }) })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    keys[name] = created.body.key
    if (name === 'revoked') await requestJson(`${server.url}/v1/keys/${created.body.id}`, { method: 'DELETE', headers: auth(ADMIN) })
  }
})
after(async () => {
  grpc.close()
  await server.close()
})

test('every HTTP route and every served RPC has an access rule, and every rule names a known action', () => {
  const missing = server.server.http.routes.filter((route) => !ROUTE_ACTIONS[`${route.method} ${route.pattern}`]).map((route) => `${route.method} ${route.pattern}`)
  assert.deepEqual(missing, [], 'routes without an entry in ROUTE_ACTIONS')
  for (const rule of [...Object.values(ROUTE_ACTIONS), ...Object.values(RPC_ACTIONS)]) assert.ok(rule.action in ACTION_RULES, rule.action)
})

test('no route but health is reachable without a key: each answers 401 with {error}', async () => {
  for (const route of server.server.http.routes) {
    const path = route.pattern.replace(/\{model\}/g, 'versioned').replace(/\{[a-z]+\}/g, '1')
    const response = await requestJson(`${server.url}${path}`, { method: route.method, headers: { 'Content-Type': 'application/json' }, ...(route.method === 'GET' ? {} : { body: '{}' }) })
    if (path.startsWith('/v2/health/')) assert.equal(response.status, 200, path)
    else {
      assert.equal(response.status, 401, `${route.method} ${path}`)
      assert.match(response.body.error, /API key|Authorization/, `${route.method} ${path}`)
    }
  }
})

test('a consumer may infer public models but not manage anything: 403 names the key and the action', async () => {
  assert.equal((await infer('versioned', keys.consumer)).status, 200)
  const load = await requestJson(`${server.url}/v2/repository/models/versioned/load`, { method: 'POST', headers: auth(keys.consumer) })
  assert.equal(load.status, 403)
  assert.match(load.body.error, /key 'consumer' \(consumer\) may not/)
  for (const [method, path] of [['GET', '/v1/keys'], ['GET', '/v1/audit'], ['POST', '/v2/repository/index'], ['DELETE', '/v1/registry/models/versioned']]) {
    const response = await requestJson(`${server.url}${path}`, { method: method!, headers: auth(keys.consumer) })
    assert.equal(response.status, 403, `${method} ${path}`)
  }
  const metrics = await requestJson(`${server.url}/metrics`, { headers: auth(keys.consumer) })
  assert.equal(metrics.status, 403)
  assert.equal((await requestJson(`${server.url}/metrics`, { headers: auth(ADMIN) })).status, 200)
  const scraper = await requestJson(`${server.url}/v1/keys`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth(ADMIN) }, body: JSON.stringify({ name: 'scraper', role: 'consumer', scopes: ['metrics'] }) })
  assert.deepEqual(scraper.body.scopes, ['metrics'])
  assert.equal((await requestJson(`${server.url}/metrics`, { headers: auth(scraper.body.key) })).status, 200, "the 'metrics' scope reads /metrics")
})

test('private models need a grant; a wrong or revoked key is 401', async () => {
  const denied = await infer('secret', keys.consumer)
  assert.equal(denied.status, 403)
  assert.match(denied.body.error, /private/)
  assert.equal((await infer('secret', keys.granted)).status, 200)
  assert.equal((await infer('secret@stable', keys.consumer)).status, 403, 'an alias does not bypass the grant')
  const revoked = await infer('versioned', keys.revoked)
  assert.equal(revoked.status, 401)
  assert.match(revoked.body.error, /revoked/)
  const wrong = await infer('versioned', `${keys.consumer!.slice(0, -4)}AAAA`)
  assert.equal(wrong.status, 401)
  const malformed = await infer('versioned', 'not-a-key')
  assert.equal(malformed.status, 401)
  assert.match(malformed.body.error, /malformed API key/)
})

test('gRPC: no key → UNAUTHENTICATED, wrong role → PERMISSION_DENIED, health stays open', async () => {
  await expectGrpcError(grpc.call('ModelMetadata', { name: 'versioned' }), grpcStatus.UNAUTHENTICATED)
  await expectGrpcError(grpc.call('RepositoryModelLoad', { model_name: 'versioned' }, { authorization: `Bearer ${keys.consumer}` }), grpcStatus.PERMISSION_DENIED)
  await expectGrpcError(grpc.call('ModelMetadata', { name: 'secret' }, { authorization: `Bearer ${keys.consumer}` }), grpcStatus.PERMISSION_DENIED)
  await expectGrpcError(grpc.call('ModelMetadata', { name: 'versioned' }, { authorization: `Bearer ${keys.revoked}` }), grpcStatus.UNAUTHENTICATED)
  const metadata = await grpc.call<any>('ModelMetadata', { name: 'versioned' }, { authorization: `Bearer ${keys.consumer}` })
  assert.equal(metadata.name, 'versioned')
  assert.equal((await grpc.call<any>('ServerLive')).live, true)
})

test('gRPC ModelStreamInfer admits every message as ModelInfer: no key or a model the key may not use → error_message', async () => {
  const request = { model_name: 'secret', id: 's', inputs: [] }
  const anonymous = await grpc.streamInfer([request])
  assert.equal(anonymous.status.code, grpcStatus.OK)
  assert.match(anonymous.responses[0].error_message, /Authorization/)
  const consumer = await grpc.streamInfer([request, { model_name: 'versioned', id: 'v', inputs: [] }], { authorization: `Bearer ${keys.consumer}` })
  const errors = consumer.responses.map((response) => response.error_message).sort()
  assert.equal(errors.length, 2)
  assert.match(errors.join('\n'), /model 'secret' is private and not granted to key 'consumer'/)
  assert.match(errors.join('\n'), /missing input/)
})

test('rate limits answer 429 with Retry-After on REST and RESOURCE_EXHAUSTED on gRPC, before model work', async () => {
  const limited = await startTestServer({ auth: true, adminKey: ADMIN, keyRate: 1, keyBurst: 2 })
  const client = new GrpcTestClient(limited.grpcAddress)
  try {
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let index = 0; index < 4; index++) {
      const response = await fetch(`${limited.url}/v2/models/versioned`, { headers: auth(ADMIN) })
      statuses.push(response.status)
      if (response.status === 429) retryAfter = response.headers.get('retry-after')
      await response.text()
    }
    assert.deepEqual(statuses.slice(0, 2), [200, 200])
    assert.equal(statuses.at(-1), 429)
    assert.ok(Number(retryAfter) >= 1, `Retry-After ${retryAfter}`)
    await expectGrpcError(client.call('ModelMetadata', { name: 'versioned' }, { authorization: `Bearer ${ADMIN}` }), grpcStatus.RESOURCE_EXHAUSTED)
  } finally {
    client.close()
    await limited.close()
  }
})

test('daily quotas answer 429 once the requests of the day are used', async () => {
  const quota = await startTestServer({ auth: true, adminKey: ADMIN, dailyRequests: 2 })
  try {
    const statuses: number[] = []
    for (let index = 0; index < 3; index++) {
      const response = await requestJson(`${quota.url}/v2/models/versioned/infer`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth(ADMIN) }, body })
      statuses.push(response.status)
    }
    assert.deepEqual(statuses, [200, 200, 429])
  } finally {
    await quota.close()
  }
})

test('usage is metered per key and model; a consumer reads its own usage only', async () => {
  await infer('versioned', keys.consumer)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const own = await requestJson(`${server.url}/v1/usage`, { headers: auth(keys.consumer) })
  assert.equal(own.status, 200, JSON.stringify(own.body))
  const rows = own.body.usage ?? own.body.rows ?? own.body
  assert.ok(JSON.stringify(rows).includes('versioned'), JSON.stringify(own.body))
  const other = await requestJson(`${server.url}/v1/usage?key=someone-else`, { headers: auth(keys.consumer) })
  assert.equal(other.status, 403)
})

test('no route that changes or administers anything is reachable with a consumer key: each answers 403', async () => {
  // Consumers may read metadata, infer, read server metadata and their own usage; everything else is 403.
  const open = new Set(['health', 'server.metadata', 'model.read', 'model.infer', 'usage.read'])
  const checked: string[] = []
  for (const route of server.server.http.routes) {
    const rule = ROUTE_ACTIONS[`${route.method} ${route.pattern}`]!
    if (open.has(rule.action)) continue
    const path = route.pattern.replace(/\{model\}/g, 'versioned').replace(/\{[a-z]+\}/g, '1')
    const response = await requestJson(`${server.url}${path}`, { method: route.method, headers: { 'Content-Type': 'application/json', ...auth(keys.consumer) }, ...(route.method === 'GET' ? {} : { body: '{}' }) })
    assert.equal(response.status, 403, `${route.method} ${path} (${rule.action}): ${JSON.stringify(response.body)}`)
    checked.push(`${route.method} ${route.pattern}`)
  }
  assert.ok(checked.length > 20, `${checked.length} routes checked`)
})

test('every guarded RPC answers UNAUTHENTICATED without a key, and the admin-only ones PERMISSION_DENIED for a consumer', async () => {
  for (const [method, rule] of Object.entries(RPC_ACTIONS)) {
    if (rule.action === 'health' || method.startsWith('Health/') || rule.streaming) continue
    const request = method === 'ModelInfer' ? { model_name: 'versioned', inputs: [] } : { name: 'versioned', model_name: 'versioned' }
    await expectGrpcError(grpc.call(method, request), grpcStatus.UNAUTHENTICATED)
    if (['repository.load', 'repository.unload', 'repository.index', 'statistics.read'].includes(rule.action)) {
      await expectGrpcError(grpc.call(method, request, { authorization: `Bearer ${keys.consumer}` }), grpcStatus.PERMISSION_DENIED)
    }
  }
})

test('a publisher may train into a new model but not into one it does not own', async () => {
  const job = (model: string) =>
    requestJson(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth(keys.publisher) },
      body: JSON.stringify({ model, preset: 'seed-mlp', dataset: 'mnist-small', fit: { epochs: 1 } }),
    })
  const foreign = await job('versioned')
  assert.equal(foreign.status, 403, JSON.stringify(foreign.body))
  assert.match(foreign.body.error, /may not train into model 'versioned'/)
  const own = await job('publisher-digits')
  assert.equal(own.status, 201, JSON.stringify(own.body))
  assert.equal(own.body.owner, 'publisher')
  // The publisher follows its own job; other keys may not, and its list holds only its own jobs.
  const read = await requestJson(`${server.url}/v1/jobs/${own.body.id}`, { headers: auth(keys.publisher) })
  assert.deepEqual([read.status, read.body.id], [200, own.body.id])
  const admins = await job('publisher-digits-2').then(() => requestJson(`${server.url}/v1/jobs`, { headers: auth(ADMIN) }))
  const listed = await requestJson(`${server.url}/v1/jobs`, { headers: auth(keys.publisher) })
  assert.equal(listed.status, 200)
  assert.ok(listed.body.jobs.length >= 2 && listed.body.jobs.every((entry: { owner: string }) => entry.owner === 'publisher'))
  assert.ok(admins.body.jobs.length >= listed.body.jobs.length)
  const other = await requestJson(`${server.url}/v1/jobs/${own.body.id}`, { headers: auth(keys.consumer) })
  assert.equal(other.status, 403)
  // Another publisher: refused on every route of the job for ownership, and its list leaves the job out.
  for (const [method, path] of [['GET', ''], ['GET', '/events'], ['POST', '/cancel'], ['DELETE', '']] as const) {
    const refused = await requestJson(`${server.url}/v1/jobs/${own.body.id}${path}`, { method, headers: auth(keys.publisher2) })
    assert.equal(refused.status, 403, `${method} ${path}`)
    assert.match(refused.body.error, /may not (read|cancel) jobs it does not own/)
  }
  const othersList = await requestJson(`${server.url}/v1/jobs`, { headers: auth(keys.publisher2) })
  assert.deepEqual([othersList.status, othersList.body.jobs], [200, []])
  assert.equal((await requestJson(`${server.url}/v1/jobs/no-such-job`, { headers: auth(keys.publisher) })).status, 403, 'an unknown id looks like a job it does not own')
  const cancelled = await requestJson(`${server.url}/v1/jobs/${own.body.id}/cancel`, { method: 'POST', headers: auth(keys.publisher) })
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
  for (const entry of listed.body.jobs) await requestJson(`${server.url}/v1/jobs/${entry.id}/cancel`, { method: 'POST', headers: auth(ADMIN) })
})

test('repository control and jobs are audited with who, what and the result', async () => {
  await requestJson(`${server.url}/v2/repository/models/versioned/unload`, { method: 'POST', headers: auth(keys.consumer) })
  await requestJson(`${server.url}/v2/repository/models/versioned/load`, { method: 'POST', headers: auth(ADMIN) })
  await new Promise((resolve) => setTimeout(resolve, 100))
  const audit = await requestJson(`${server.url}/v1/audit?limit=50`, { headers: auth(ADMIN) })
  assert.equal(audit.status, 200)
  const entries: any[] = audit.body.entries ?? audit.body
  const denied = entries.find((entry) => entry.action === 'repository.unload' && entry.actor === 'consumer')
  assert.equal(denied?.result, 'denied', JSON.stringify(entries.slice(0, 3)))
  const loaded = entries.find((entry) => entry.action === 'repository.load' && entry.result === 'success')
  assert.equal(loaded?.target, 'versioned')
})
