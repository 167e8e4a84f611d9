import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => (server = await startTestServer()))
after(() => server.close())

test('model metadata lists inputs and outputs with KServe datatypes and -1 for dynamic dims', async () => {
  const { status, body } = await requestJson(`${server.url}/v2/models/simple`)
  assert.equal(status, 200)
  assert.equal(body.name, 'simple')
  assert.deepEqual(body.versions, ['1'])
  assert.equal(body.platform, 'onnxruntime_onnx')
  assert.deepEqual(body.inputs, [
    { name: 'INPUT0', datatype: 'INT32', shape: [-1, 16] },
    { name: 'INPUT1', datatype: 'INT32', shape: [-1, 16] },
  ])
  assert.deepEqual(body.outputs.map((o: any) => o.name), ['OUTPUT0', 'OUTPUT1'])
  assert.equal(body.parameters.author, 'maas tests')
})

test('model metadata with a version, and config labels as a parameter', async () => {
  const { status, body } = await requestJson(`${server.url}/v2/models/mlp/versions/1`)
  assert.equal(status, 200)
  assert.deepEqual(body.versions, ['1'])
  assert.deepEqual(JSON.parse(body.parameters.labels), ['a', 'b', 'c'])
})

test('model ready with and without a version', async () => {
  assert.equal((await requestJson(`${server.url}/v2/models/simple/ready`)).status, 200)
  const versioned = await requestJson(`${server.url}/v2/models/simple/versions/1/ready`)
  assert.deepEqual([versioned.status, versioned.body.ready], [200, true])
})

test('unknown model and unknown version answer 404 with {error}', async () => {
  for (const path of ['/v2/models/nope', '/v2/models/nope/ready', '/v2/models/simple/versions/9', '/v2/models/simple/versions/9/ready', '/v2/models/simple/versions/x']) {
    const { status, body } = await requestJson(`${server.url}${path}`)
    assert.equal(status, 404, path)
    assert.match(body.error, /not found/, path)
  }
})

test('version policy latest{2} serves the two highest versions; unversioned requests go to the highest', async () => {
  const { body } = await requestJson(`${server.url}/v2/models/versioned`)
  assert.deepEqual(body.versions, ['3', '2'])
  const old = await requestJson(`${server.url}/v2/models/versioned/versions/1/ready`)
  assert.equal(old.status, 404)
  const infer = await requestJson(`${server.url}/v2/models/versioned/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [1, 4], data: [0, 0, 0, 0] }] }),
  })
  assert.equal(infer.body.model_version, '3')
  assert.deepEqual(infer.body.outputs[0].data, [3, 3, 3, 3])
  const pinned = await requestJson(`${server.url}/v2/models/versioned/versions/2/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [1, 4], data: [1, 1, 1, 1] }] }),
  })
  assert.equal(pinned.body.model_version, '2')
  assert.deepEqual(pinned.body.outputs[0].data, [3, 3, 3, 3])
})

test("model configuration extension: GET …/config answers Triton's ModelConfig as the version runs", async () => {
  const { status, body } = await requestJson(`${server.url}/v2/models/mlp/config`)
  assert.equal(status, 200)
  assert.equal(body.name, 'mlp')
  assert.equal(body.platform, 'onnxruntime_onnx')
  assert.equal(body.max_batch_size, 64)
  assert.deepEqual(body.input, [{ name: 'input', data_type: 'TYPE_FP32', format: 'FORMAT_NONE', dims: [8], is_shape_tensor: false, allow_ragged_batch: false, optional: false }])
  assert.deepEqual(body.output, [{ name: 'probabilities', data_type: 'TYPE_FP32', dims: [3], label_filename: '', is_shape_tensor: false }])
  assert.deepEqual(body.version_policy, { latest: { num_versions: 1 } })
  assert.equal(body.instance_group[0].kind, 'KIND_CPU')
  const unbatched = await requestJson(`${server.url}/v2/models/identity_bytes/versions/1/config`)
  assert.equal(unbatched.body.max_batch_size, 0)
  assert.deepEqual(unbatched.body.input[0].dims, [-1], 'no batch dimension to drop')
  assert.equal(unbatched.body.input[0].data_type, 'TYPE_STRING')
  assert.equal((await requestJson(`${server.url}/v2/models/nope/config`)).status, 404)
})
