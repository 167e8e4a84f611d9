import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { buildVersionMarker, writeModel } from './support/fixture-repository.ts'
import { postJson, requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => {
  server = await startTestServer()
  const models: Record<string, object> = {
    batched: { max_batch_size: 16, dynamic_batching: { max_queue_delay_microseconds: 50_000 }, instance_group: [{ count: 1, kind: 'KIND_CPU', thread: 'main' }] },
    unbatched: { max_batch_size: 16, instance_group: [{ thread: 'main' }] },
    small_queue: { max_batch_size: 4, dynamic_batching: { max_queue_delay_microseconds: 300_000, default_queue_policy: { max_queue_size: 2 } } },
    timeouts: { max_batch_size: 64, dynamic_batching: { max_queue_delay_microseconds: 300_000, default_queue_policy: { default_timeout_microseconds: 20_000 } } },
    workers: { max_batch_size: 16, dynamic_batching: {}, instance_group: [{ count: 2, kind: 'KIND_CPU', thread: 'worker' }] },
    warm_file: { max_batch_size: 4, model_warmup: [{ name: 'sample', batch_size: 2, inputs: { INPUT: { dims: [4], input_data_file: 'input.bin' } } }] },
    warm_bad: { max_batch_size: 4, model_warmup: [{ name: 'missing file', inputs: { INPUT: { input_data_file: 'absent.bin' } } }] },
  }
  for (const [name, config] of Object.entries(models)) writeModel(server.repository, name, 1, buildVersionMarker(1), config)
  mkdirSync(path.join(server.repository, 'warm_file', 'warmup'), { recursive: true })
  writeFileSync(path.join(server.repository, 'warm_file', 'warmup', 'input.bin'), Buffer.from(new Float32Array(8).buffer))
  for (const name of Object.keys(models)) await postJson(`${server.url}/v2/repository/models/${name}/load`, {})
})
after(() => server.close())

function infer(model: string, value: number, parameters?: object) {
  return postJson(`${server.url}/v2/models/${model}/infer`, {
    ...(parameters ? { parameters } : {}),
    inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [1, 4], data: [value, value, value, value] }],
  })
}

async function stats(model: string) {
  const { status, body } = await requestJson(`${server.url}/v2/models/${model}/stats`)
  assert.equal(status, 200)
  return body.model_stats[0]
}

test('dynamic batching merges concurrent requests and returns each its own rows', async () => {
  const responses = await Promise.all(Array.from({ length: 8 }, (_, index) => infer('batched', index * 10)))
  responses.forEach((response, index) => {
    assert.equal(response.status, 200)
    assert.deepEqual(response.body.outputs[0].data, [index * 10 + 1, index * 10 + 1, index * 10 + 1, index * 10 + 1])
    assert.deepEqual(response.body.outputs[0].shape, [1, 4])
  })
  const model = await stats('batched')
  assert.equal(model.inference_count, 8)
  assert.ok(model.execution_count < 8, `8 requests ran in ${model.execution_count} executions`)
  assert.ok(model.batch_stats.some((batch: any) => batch.batch_size > 1))
  const metrics = await (await fetch(`${server.url}/metrics`)).text()
  assert.match(metrics, /maas_inference_batch_size_bucket\{le="1",model="batched",version="1"\} \d+/)
})

test('without dynamic_batching every request executes alone', async () => {
  await Promise.all(Array.from({ length: 6 }, (_, index) => infer('unbatched', index)))
  const model = await stats('unbatched')
  assert.equal(model.execution_count, 6)
  assert.deepEqual(model.batch_stats.map((batch: any) => batch.batch_size), [1])
})

test('a full queue answers 429 at once', async () => {
  const responses = await Promise.all(Array.from({ length: 5 }, (_, index) => infer('small_queue', index)))
  const statuses = responses.map((response) => response.status).sort()
  assert.ok(statuses.includes(429), `statuses: ${statuses}`)
  const rejected = responses.find((response) => response.status === 429)!
  assert.match(rejected.body.error, /queue/)
  assert.ok(statuses.includes(200))
})

test('a request that waits past its queue timeout answers 504; a per-request timeout overrides', async () => {
  const timedOut = await infer('timeouts', 1)
  assert.equal(timedOut.status, 504)
  assert.match(timedOut.body.error, /timed out|timeout/i)
  const model = await stats('timeouts')
  assert.equal(model.inference_stats.fail.count, 1)
  const patient = await infer('timeouts', 1, { timeout: 2_000_000 })
  assert.equal(patient.status, 200)
  const bad = await infer('timeouts', 1, { timeout: -5 })
  assert.equal(bad.status, 400)
  const text = await infer('timeouts', 1, { timeout: '2000000' })
  assert.equal(text.status, 400, 'a timeout given as a string is refused')
})

test('worker-thread instances serve requests, with statistics', async () => {
  const responses = await Promise.all(Array.from({ length: 10 }, (_, index) => infer('workers', index)))
  assert.deepEqual(responses.map((response) => response.status), new Array(10).fill(200))
  assert.deepEqual(responses[3]!.body.outputs[0].data, [4, 4, 4, 4])
  const model = await stats('workers')
  assert.equal(model.inference_count, 10)
  assert.ok(model.inference_stats.compute_infer.ns > 0)
})

test('warm-up from a sample file makes the model ready; a failing configured warm-up fails the load', async () => {
  assert.equal((await requestJson(`${server.url}/v2/models/warm_file/ready`)).status, 200)
  const failed = await postJson(`${server.url}/v2/repository/models/warm_bad/load`, {})
  assert.equal(failed.status, 400)
  assert.match(failed.body.error, /absent\.bin/)
  const index = await postJson(`${server.url}/v2/repository/index`, {})
  // As in Triton: a version whose load failed is UNAVAILABLE, its reason says why.
  const entry = index.body.find((row: any) => row.name === 'warm_bad')
  assert.equal(entry.state, 'UNAVAILABLE')
  assert.match(entry.reason, /absent\.bin/)
})

test('statistics for every model, one model and one version; 404 for unknown ones', async () => {
  const all = await requestJson(`${server.url}/v2/models/stats`)
  assert.equal(all.status, 200)
  assert.ok(all.body.model_stats.some((entry: any) => entry.name === 'batched'))
  const one = await requestJson(`${server.url}/v2/models/batched/versions/1/stats`)
  const entry = one.body.model_stats[0]
  assert.deepEqual(Object.keys(entry.inference_stats).sort(), ['cache_hit', 'cache_miss', 'compute_infer', 'compute_input', 'compute_output', 'fail', 'queue', 'success'])
  assert.equal(entry.version, '1')
  assert.ok(entry.last_inference > 0)
  assert.equal((await requestJson(`${server.url}/v2/models/nope/stats`)).status, 404)
  assert.equal((await requestJson(`${server.url}/v2/models/batched/versions/9/stats`)).status, 404)
})
