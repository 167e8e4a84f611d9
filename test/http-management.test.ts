/**
 * The management REST API over a real server: models, versions, aliases, lineage, cards,
 * the audit log, the status codes of every error, and the OpenAPI document covering every
 * `/v1/registry` route.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildVersionMarker } from './support/fixture-repository.ts'
import { createModel, inferMarker, putAlias, uploadVersion } from './support/management-client.ts'
import { requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => {
  server = await startTestServer()
})
after(() => server.close())

const api = (path: string) => `${server.url}/v1/registry/models${path}`
const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  requestJson(api(path), { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) })

describe('models', () => {
  test('creates, lists, gets, patches and deletes a model', async () => {
    const created = await createModel(server, { name: 'crud', description: 'a test', task: 'regression', labels: { team: 'ml' }, visibility: 'internal' })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.headers.get('location'), '/v1/registry/models/crud')
    assert.equal(created.body.owner, 'anonymous')
    assert.equal(created.body.visibility, 'internal')
    const listed = await send('GET', '?label=team=ml')
    assert.deepEqual(listed.body.models.map((model: { name: string }) => model.name), ['crud'])
    assert.deepEqual((await send('GET', '?task=nothing')).body.models, [])
    const got = await send('GET', '/crud')
    assert.equal(got.status, 200)
    assert.deepEqual(got.body.versions, [])
    assert.deepEqual(got.body.aliases, [])
    const patched = await send('PATCH', '/crud', { description: 'changed', servingConfig: { max_batch_size: 4 } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal(patched.body.description, 'changed')
    assert.deepEqual(patched.body.servingConfig, { max_batch_size: 4 })
    assert.equal((await send('DELETE', '/crud')).status, 204)
    assert.equal((await send('GET', '/crud')).status, 404)
  })

  test('refuses bad input with 400, a duplicate with 409, unknown models with 404, wrong types with 415', async () => {
    assert.equal((await createModel(server, { name: 'dup' })).status, 201)
    const duplicate = await createModel(server, { name: 'dup' })
    assert.equal(duplicate.status, 409)
    assert.match(duplicate.body.error, /dup/)
    const cases: [unknown, RegExp][] = [
      [{}, /"name" is required/],
      [{ name: 'bad name' }, /model name 'bad name' must be/],
      [{ name: 'x', visibility: 'secret' }, /"visibility" must be one of private, internal, public/],
      [{ name: 'x', labels: { a: 1 } }, /value of 'a' must be a string/],
      [{ name: 'x', colour: 'red' }, /unknown field 'colour'/],
      [{ name: 'x', servingConfig: { max_batch_size: 'big' } }, /servingConfig: .*max_batch_size/],
      [{ name: 'x', servingConfig: { nonsense: 1 } }, /servingConfig: unknown key 'nonsense'/],
      ['{not json', /not valid JSON/],
    ]
    for (const [body, message] of cases) {
      const response = await send('POST', '', body)
      assert.equal(response.status, 400, JSON.stringify(body))
      assert.match(response.body.error, message)
    }
    assert.equal((await send('PATCH', '/dup', { servingConfig: { version_policy: { latest: 'x' } } })).status, 400)
    for (const [method, path] of [['GET', '/nope'], ['PATCH', '/nope'], ['DELETE', '/nope'], ['GET', '/nope/versions'], ['GET', '/nope/aliases'], ['GET', '/nope/lineage'], ['GET', '/nope/card']] as const) {
      const response = await send(method, path, method === 'PATCH' ? {} : undefined)
      assert.equal(response.status, 404, `${method} ${path}`)
      assert.match(response.body.error, /nope/)
    }
    const wrongType = await send('POST', '', '<model/>', { 'Content-Type': 'application/xml' })
    assert.equal(wrongType.status, 415)
    assert.equal((await send('DELETE', '/dup')).status, 204)
  })
})

describe('versions and aliases', () => {
  before(async () => {
    assert.equal((await createModel(server, { name: 'va' })).status, 201)
    for (const version of [1, 2]) assert.equal((await uploadVersion(server, 'va', buildVersionMarker(version), { metrics: { acc: 0.5 + version / 10 } })).status, 201)
  })

  test('lists and gets versions, patches metrics, archives and restores', async () => {
    const listed = await send('GET', '/va/versions')
    assert.deepEqual(listed.body.versions.map((v: { version: number; status: string }) => [v.version, v.status]), [[1, 'READY'], [2, 'READY']])
    const got = await send('GET', '/va/versions/2')
    assert.equal(got.body.signature.inputs[0].name, 'INPUT')
    assert.deepEqual(got.body.metrics, { acc: 0.7 })
    assert.equal(got.body.createdBy, 'anonymous')
    assert.deepEqual((await send('PATCH', '/va/versions/2', { metrics: { acc: 0.75 } })).body.metrics, { acc: 0.75 })
    assert.equal((await send('PATCH', '/va/versions/1', { status: 'ARCHIVED' })).body.status, 'ARCHIVED')
    assert.deepEqual((await send('GET', '/va/versions?status=archived')).body.versions.map((v: { version: number }) => v.version), [1])
    assert.equal((await send('PATCH', '/va/versions/1', { status: 'READY' })).body.status, 'READY')
    assert.equal((await send('PATCH', '/va/versions/1', { status: 'FAILED' })).status, 400)
    assert.equal((await send('PATCH', '/va/versions/1', { metrics: { acc: 'high' } })).status, 400)
    assert.equal((await send('GET', '/va/versions/x')).status, 400)
    assert.equal((await send('GET', '/va/versions/9')).status, 404)
    assert.equal((await send('GET', '/va/versions?status=GONE')).status, 400)
  })

  test('sets, moves and deletes aliases, which serve as model@alias; a version in use is not deleted (409)', async () => {
    const set = await putAlias(server, 'va', 'production', { version: 1 })
    assert.equal(set.status, 200, JSON.stringify(set.body))
    assert.equal(set.body.version, 1)
    assert.equal((await inferMarker(server, 'va@production')).version, 1)
    assert.equal((await inferMarker(server, 'va')).version, 2)
    const moved = await putAlias(server, 'va', 'production', { version: 2, canary: { version: 1, weight: 0 } })
    assert.equal(moved.status, 200, JSON.stringify(moved.body))
    assert.deepEqual(moved.body.canary, { version: 1, weight: 0 })
    assert.equal((await inferMarker(server, 'va@production')).version, 2)
    assert.deepEqual((await send('GET', '/va/aliases')).body.aliases.map((a: { name: string }) => a.name), ['production'])
    assert.equal((await send('GET', '/va/aliases/production')).body.version, 2)
    assert.deepEqual((await send('GET', '/va/versions/2')).body.aliases, ['production'])
    const inUse = await send('DELETE', '/va/versions/1')
    assert.equal(inUse.status, 409, 'the canary points at it')
    assert.equal((await send('DELETE', '/va')).status, 409, 'a model with aliases is not deleted')
    assert.equal((await putAlias(server, 'va', 'production', { version: 9 })).status, 404)
    assert.equal((await putAlias(server, 'va', 'production', { version: 1, canary: { version: 1, weight: 5 } })).status, 400)
    assert.equal((await putAlias(server, 'va', 'production', { version: 1, canary: { version: 2, weight: 101 } })).status, 400)
    assert.equal((await putAlias(server, 'va', 'Bad', { version: 1 })).status, 400)
    assert.equal((await putAlias(server, 'va', 'production', {})).status, 400)
    assert.equal((await send('DELETE', '/va/aliases/production')).status, 204)
    assert.equal((await send('DELETE', '/va/aliases/production')).status, 404)
    assert.equal((await inferMarker(server, 'va@production')).status, 404)
  })

  test('refuses an alias on an ARCHIVED version with 409', async () => {
    assert.equal((await send('PATCH', '/va/versions/1', { status: 'ARCHIVED' })).status, 200)
    const response = await putAlias(server, 'va', 'staging', { version: 1 })
    assert.equal(response.status, 409)
    assert.match(response.body.error, /ARCHIVED/)
    assert.equal((await send('PATCH', '/va/versions/1', { status: 'READY' })).status, 200)
  })

  test('deletes a version: it stops serving and its artifact goes', async () => {
    assert.equal((await uploadVersion(server, 'va', buildVersionMarker(3))).status, 201)
    assert.equal((await inferMarker(server, 'va')).version, 3)
    assert.equal((await send('DELETE', '/va/versions/3')).status, 204)
    assert.equal((await send('GET', '/va/versions/3')).status, 404)
    assert.equal((await inferMarker(server, 'va')).version, 2)
  })
})

describe('lineage, cards and audit', () => {
  test('draws the lineage graph with parents and operations', async () => {
    assert.equal((await createModel(server, { name: 'lin' })).status, 201)
    assert.equal((await uploadVersion(server, 'lin', buildVersionMarker(1), { dataset: 'mnist' })).status, 201)
    const child = await uploadVersion(server, 'lin', buildVersionMarker(2), { operation: 'quantized', parents: [1], parameters: { bits: 8 } })
    assert.equal(child.status, 201, JSON.stringify(child.body))
    const missingParent = await uploadVersion(server, 'lin', buildVersionMarker(3), { parents: [{ model: 'lin', version: 42 }] })
    assert.equal(missingParent.status, 404)
    const graph = (await send('GET', '/lin/lineage')).body
    assert.deepEqual(graph.nodes.map((node: { id: string; operation: string }) => [node.id, node.operation]), [['lin/1', 'uploaded'], ['lin/2', 'quantized']])
    assert.equal(graph.nodes[0].dataset, 'mnist')
    assert.deepEqual(graph.edges, [{ from: 'lin/1', to: 'lin/2', operation: 'quantized' }])
  })

  test('puts and gets a model card as markdown or JSON', async () => {
    assert.equal((await createModel(server, { name: 'carded' })).status, 201)
    assert.equal((await send('GET', '/carded/card')).status, 404)
    const put = await send('PUT', '/carded/card', '# Carded\n\nIntended use: tests.', { 'Content-Type': 'text/markdown' })
    assert.equal(put.status, 200)
    assert.equal(put.body.updatedBy, 'anonymous')
    assert.equal((await send('GET', '/carded/card')).body.markdown, '# Carded\n\nIntended use: tests.')
    const raw = await fetch(api('/carded/card'), { headers: { Accept: 'text/markdown' } })
    assert.match(raw.headers.get('content-type') ?? '', /text\/markdown/)
    assert.equal(await raw.text(), '# Carded\n\nIntended use: tests.')
    assert.equal((await send('PUT', '/carded/card', { markdown: 'json' })).body.markdown, 'json')
    assert.equal((await send('PUT', '/carded/card', { text: 'json' })).status, 400)
  })

  test('writes every management action to the audit log with its actor and result', async () => {
    const entries = await server.server.registry.audit.list({ limit: 1000 })
    const actions = new Set(entries.map((entry) => `${entry.action}:${entry.result}`))
    for (const expected of ['model.create:success', 'model.create:failure', 'model.update:success', 'model.delete:success', 'version.upload:success',
      'version.update:success', 'version.delete:success', 'alias.set:success', 'alias.delete:success', 'card.put:success']) {
      assert.ok(actions.has(expected), `${expected} in ${[...actions].join(', ')}`)
    }
    const others = entries.filter((entry) => /^(model|version|alias|card)\./.test(entry.action) && entry.actor !== 'anonymous')
    assert.deepEqual(others, [])
  })
})

describe('OpenAPI', () => {
  test('serves a JSON document that describes every /v1/registry route', async () => {
    const response = await fetch(`${server.url}/v1/openapi.json`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /application\/json/)
    const document = JSON.parse(await response.text())
    assert.equal(document.openapi, '3.1.0')
    const routes = server.server.http.routes.filter((route) => route.pattern.startsWith('/v1/registry'))
    assert.ok(routes.length >= 17, `found ${routes.length} routes`)
    for (const route of routes) {
      assert.ok(document.paths[route.pattern]?.[route.method.toLowerCase()], `${route.method} ${route.pattern} is in the OpenAPI document`)
    }
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations).filter((key) => key !== 'parameters')) {
        assert.ok(routes.some((route) => route.pattern === path && route.method.toLowerCase() === method), `documented ${method} ${path} is served`)
      }
    }
    const refs = JSON.stringify(document).match(/#\/components\/schemas\/\w+/g) ?? []
    for (const ref of refs) assert.ok(document.components.schemas[ref.split('/').at(-1)!], `${ref} resolves`)
  })

  test('answers 405 with Allow for a wrong method on a registry path', async () => {
    const response = await send('POST', '/va/lineage', {})
    assert.equal(response.status, 405)
    assert.match(response.headers.get('allow') ?? '', /GET/)
  })
})
