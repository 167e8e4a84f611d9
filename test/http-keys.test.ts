/**
 * The API key management API on a real server: create (the plaintext once), list and get
 * (never a hash), revoke, rotate with a grace period (checked with the real authenticator),
 * validation messages, 404 and 409, and the audit log of every action at `GET /v1/audit`.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ApiKeyAuthenticator } from '../src/server/auth/api-key-authenticator.ts'
import { postJson, requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => {
  server = await startTestServer()
})
after(() => server.close())

const del = (path: string) => requestJson(`${server.url}${path}`, { method: 'DELETE' })
const get = (path: string) => requestJson(`${server.url}${path}`)

describe('POST /v1/keys', () => {
  test('answers 201 with the plaintext key once, never cached, and stores only its hash', async () => {
    const { status, headers, body } = await postJson(`${server.url}/v1/keys`, { name: 'ci-bot', role: 'consumer', models: ['mlp'] })
    assert.equal(status, 201)
    assert.equal(headers.get('cache-control'), 'no-store')
    assert.match(body.key, /^maas_[a-z2-7]{8}_[A-Za-z0-9_-]{43}$/)
    assert.equal(body.key.slice(5, 13), body.prefix)
    assert.deepEqual(
      [body.name, body.role, body.models, body.status, body.expires_at, body.revoked_at, body.rotated_from],
      ['ci-bot', 'consumer', ['mlp'], 'active', null, null, null],
    )
    assert.equal(body.hash, undefined)
    const stored = await server.server.registry.keys.get(body.id)
    assert.ok(!stored.hash.includes(body.key.slice(14)))
    const again = await get(`/v1/keys/${body.id}`)
    assert.equal(again.body.key, undefined, 'the key is never shown again')
    assert.equal(again.body.hash, undefined)
  })

  test('takes an expiry as expires_in_seconds or expires_at', async () => {
    const relative = await postJson(`${server.url}/v1/keys`, { role: 'consumer', expires_in_seconds: 3600 })
    assert.equal(relative.status, 201)
    const inAnHour = Date.parse(relative.body.expires_at) - Date.now()
    assert.ok(inAnHour > 3_590_000 && inAnHour <= 3_600_000, String(inAnHour))
    const at = new Date(Date.now() + 30 * 86_400_000).toISOString()
    const absolute = await postJson(`${server.url}/v1/keys`, { role: 'consumer', expires_at: at })
    assert.equal(absolute.body.expires_at, at)
    const far = await postJson(`${server.url}/v1/keys`, { role: 'consumer', expires_at: '2999-01-01T00:00:00Z' })
    assert.match(far.body.error, /more than ten years away/)
  })

  for (const [body, message] of [
    [{}, /"role" is required \(one of admin, publisher, consumer\)/],
    [{ role: 'root' }, /key role 'root' must be one of admin, publisher, consumer/],
    [{ role: 'consumer', name: 7 }, /"name" must be a string/],
    [{ role: 'consumer', name: 'has space' }, /key name 'has space' must be 1-64/],
    [{ role: 'consumer', models: 'mlp' }, /"models" must be an array of model names/],
    [{ role: 'consumer', expires_at: 'tomorrow' }, /"expires_at" must be an ISO 8601 date-time/],
    [{ role: 'consumer', expires_at: '2000-01-01T00:00:00Z' }, /is not in the future/],
    [{ role: 'consumer', expires_in_seconds: 0 }, /"expires_in_seconds" must be an integer from 1/],
    [{ role: 'consumer', expires_in_seconds: 5, expires_at: '2099-01-01T00:00:00Z' }, /not both/],
    [{ role: 'consumer', scopes: ['admin'] }, /key scope 'admin' must be one of metrics/],
    [{ role: 'consumer', colour: 'blue' }, /unknown field 'colour'; known fields: name, role, models, scopes, expires_at, expires_in_seconds/],
  ] as const) {
    test(`answers 400 for ${JSON.stringify(body)}`, async () => {
      const response = await postJson(`${server.url}/v1/keys`, body)
      assert.equal(response.status, 400)
      assert.match(response.body.error, message)
    })
  }

  test('answers 400 for a body that is not a JSON object', async () => {
    const response = await requestJson(`${server.url}/v1/keys`, { method: 'POST', body: '[1]', headers: { 'Content-Type': 'application/json' } })
    assert.equal(response.status, 400)
    assert.match(response.body.error, /create key: body must be a JSON object/)
  })
})

describe('GET, DELETE and rotate', () => {
  test('lists keys without hashes; revoked ones only with include_revoked=true', async () => {
    const created = (await postJson(`${server.url}/v1/keys`, { name: 'to-revoke', role: 'publisher' })).body
    const revoked = await del(`/v1/keys/${created.id}`)
    assert.equal(revoked.status, 200)
    assert.equal(revoked.body.status, 'revoked')
    const active = (await get('/v1/keys')).body.keys
    assert.ok(active.every((key: any) => key.hash === undefined && key.key === undefined && key.status !== 'revoked'))
    assert.ok(active.some((key: any) => key.role === 'admin'), 'the bootstrap admin key is listed')
    const all = (await get('/v1/keys?include_revoked=true')).body.keys
    assert.ok(all.some((key: any) => key.id === created.id))
    assert.match((await get('/v1/keys?include_revoked=maybe')).body.error, /'include_revoked' must be true or false/)
    assert.match((await get('/v1/keys?role=admin')).body.error, /unknown query parameter 'role'/)
  })

  test('answers 404 for unknown keys and 405 for other methods', async () => {
    for (const response of [await get('/v1/keys/nope'), await del('/v1/keys/nope'), await postJson(`${server.url}/v1/keys/nope/rotate`, {})]) {
      assert.equal(response.status, 404)
      assert.equal(response.body.error, "API key 'nope' is not found")
    }
    assert.equal((await requestJson(`${server.url}/v1/keys/x`, { method: 'PUT' })).status, 405)
  })

  test('rotates: old and new keys both authenticate during the grace period; a revoked key answers 409', async () => {
    const old = (await postJson(`${server.url}/v1/keys`, { name: 'svc', role: 'consumer', models: ['mlp'] })).body
    const rotated = await postJson(`${server.url}/v1/keys/${old.id}/rotate`, { grace_seconds: 60 })
    assert.equal(rotated.status, 201)
    assert.equal(rotated.headers.get('cache-control'), 'no-store')
    assert.notEqual(rotated.body.key, old.key)
    assert.deepEqual([rotated.body.name, rotated.body.role, rotated.body.models, rotated.body.rotated_from], ['svc', 'consumer', ['mlp'], old.id])
    const graceEnd = Date.parse(rotated.body.previous.expires_at)
    const authenticator = (at: number) => new ApiKeyAuthenticator({ keys: server.server.registry.keys, now: () => at })
    assert.equal((await authenticator(graceEnd - 1).authenticateKey(old.key)).keyId, old.id)
    assert.equal((await authenticator(graceEnd - 1).authenticateKey(rotated.body.key)).keyId, rotated.body.id)
    await assert.rejects(authenticator(graceEnd).authenticateKey(old.key), /expired at/)
    assert.equal((await authenticator(graceEnd).authenticateKey(rotated.body.key)).keyId, rotated.body.id)

    const now = await postJson(`${server.url}/v1/keys/${rotated.body.id}/rotate`, { grace_seconds: 0 })
    assert.equal(now.body.previous.status, 'revoked')
    const conflict = await postJson(`${server.url}/v1/keys/${rotated.body.id}/rotate`, {})
    assert.equal(conflict.status, 409)
    assert.match(conflict.body.error, /is revoked; create a new key instead/)
    const bad = await postJson(`${server.url}/v1/keys/${now.body.id}/rotate`, { grace_seconds: -1 })
    assert.equal(bad.status, 400)
    assert.match(bad.body.error, /rotate key: "grace_seconds" must be an integer number of seconds from 0 to 2592000/)
  })

  test('refuses with 409 to revoke the last active admin key', async () => {
    const admins = (await get('/v1/keys')).body.keys.filter((key: any) => key.role === 'admin')
    assert.equal(admins.length, 1)
    const refused = await del(`/v1/keys/${admins[0].id}`)
    assert.equal(refused.status, 409)
    assert.match(refused.body.error, /last active admin key/)
  })
})

describe('GET /v1/audit', () => {
  test('lists every key action with actor, action, target, result and time, newest first, paged', async () => {
    const created = (await postJson(`${server.url}/v1/keys`, { name: 'audited', role: 'consumer' })).body
    await postJson(`${server.url}/v1/keys/${created.id}/rotate`, { grace_seconds: 5 })
    await del(`/v1/keys/${created.id}`)
    await del('/v1/keys/missing')
    const { status, body } = await get(`/v1/audit?target=key:${created.id}`)
    assert.equal(status, 200)
    assert.deepEqual(body.entries.map((entry: any) => [entry.actor, entry.action, entry.result]), [
      ['anonymous', 'key.revoke', 'success'],
      ['anonymous', 'key.rotate', 'success'],
      ['anonymous', 'key.create', 'success'],
    ])
    assert.ok(body.entries.every((entry: any) => !Number.isNaN(Date.parse(entry.at))))
    assert.ok(!JSON.stringify(body).includes(created.key.slice(14)), 'the audit log never holds a key')
    const failed = (await get('/v1/audit?result=failure&action=key.revoke')).body.entries
    assert.ok(failed.some((entry: any) => entry.target === 'key:missing' && /not found/.test(entry.details.error)))
    const bootstrap = (await get('/v1/audit?actor=system')).body.entries
    assert.deepEqual(bootstrap.map((entry: any) => entry.action), ['key.bootstrap'])

    const page1 = (await get('/v1/audit?limit=2')).body
    assert.equal(page1.entries.length, 2)
    const page2 = (await get(`/v1/audit?limit=2&before=${page1.next_before}`)).body
    assert.ok(page2.entries[0].id < page1.entries[1].id)
  })

  test('answers 400 naming the bad parameter', async () => {
    assert.match((await get('/v1/audit?limit=0')).body.error, /'limit' must be an integer from 1 to 1000, got '0'/)
    assert.match((await get('/v1/audit?result=ok')).body.error, /'result' must be one of success, denied, failure/)
    assert.match((await get('/v1/audit?who=me')).body.error, /unknown query parameter 'who'/)
  })
})
