import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { buildVersionMarker, writeModel } from './support/fixture-repository.ts'
import { postJson, requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => {
  server = await startTestServer()
  for (const version of [1, 2, 3]) writeModel(server.repository, 'labelled', version, buildVersionMarker(version))
  writeFileSync(
    path.join(server.repository, 'labelled', 'config.json'),
    JSON.stringify({ version_policy: { latest: { num_versions: 1 } }, version_labels: { stable: 1, rollout: { version: 1, canary_version: 2, canary_weight: 50 } } }),
  )
  assert.equal((await postJson(`${server.url}/v2/repository/models/labelled/load`, {})).status, 200)
})
after(() => server.close())

const body = { inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [1, 4], data: [0, 0, 0, 0] }] }

test('labelled versions are served beside the version policy; unversioned requests still go to the highest', async () => {
  const { body: metadata } = await requestJson(`${server.url}/v2/models/labelled`)
  assert.deepEqual(metadata.versions, ['3', '2', '1'])
  const plain = await postJson(`${server.url}/v2/models/labelled/infer`, body)
  assert.equal(plain.body.model_version, '3')
})

test('a label addresses its version as model@label, as a version string, and through TF Serving /labels/', async () => {
  const byName = await postJson(`${server.url}/v2/models/labelled@stable/infer`, body)
  assert.equal(byName.status, 200, JSON.stringify(byName.body))
  assert.equal(byName.body.model_name, 'labelled')
  assert.equal(byName.body.model_version, '1')
  const byVersion = await postJson(`${server.url}/v2/models/labelled/versions/stable/infer`, body)
  assert.equal(byVersion.body.model_version, '1')
  const tf = await postJson(`${server.url}/v1/models/labelled/labels/stable:predict`, { instances: [[0, 0, 0, 0]] })
  assert.deepEqual(tf.body.predictions, [[1, 1, 1, 1]])
  const status = await requestJson(`${server.url}/v1/models/labelled/labels/stable`)
  assert.deepEqual(status.body.model_version_status.map((entry: any) => entry.version), ['1'])
  const metadata = await requestJson(`${server.url}/v1/models/labelled/labels/stable/metadata`)
  assert.equal(metadata.body.model_spec.version, '1')
})

test('a canary label splits traffic by weight, and each side shows in the per-version metrics', async () => {
  const versions = new Map<string, number>()
  for (let index = 0; index < 200; index++) {
    const response = await postJson(`${server.url}/v2/models/labelled@rollout/infer`, body)
    versions.set(response.body.model_version, (versions.get(response.body.model_version) ?? 0) + 1)
  }
  assert.deepEqual([...versions.keys()].sort(), ['1', '2'])
  assert.ok(versions.get('2')! > 60 && versions.get('2')! < 140, `canary share ${versions.get('2')}/200`)
  const metrics = await (await fetch(`${server.url}/metrics`)).text()
  assert.match(metrics, /maas_inference_requests_total\{model="labelled",version="2",outcome="success"\} \d+/)
})

test('unknown labels are 404; a label on a missing version fails the load and keeps serving the old config', async () => {
  const unknown = await postJson(`${server.url}/v2/models/labelled@nope/infer`, body)
  assert.equal(unknown.status, 404)
  assert.match(unknown.body.error, /label 'nope' of model 'labelled' is not found/)
  const conflicting = await postJson(`${server.url}/v2/models/labelled@stable/versions/2/infer`, body)
  assert.equal(conflicting.status, 400)
  writeFileSync(path.join(server.repository, 'labelled', 'config.json'), JSON.stringify({ version_labels: { stable: 9 } }))
  const load = await postJson(`${server.url}/v2/repository/models/labelled/load`, {})
  assert.equal(load.status, 400)
  assert.match(load.body.error, /version label points at version 9, which does not exist/)
  assert.equal((await postJson(`${server.url}/v2/models/labelled@stable/infer`, body)).body.model_version, '1')
  writeFileSync(path.join(server.repository, 'labelled', 'config.json'), JSON.stringify({ version_labels: { 'bad label': 1 } }))
  const invalid = await postJson(`${server.url}/v2/repository/models/labelled/load`, {})
  assert.match(invalid.body.error, /version label 'bad label' must start with a letter/)
})
