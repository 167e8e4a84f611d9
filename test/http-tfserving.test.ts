import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { postJson, requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => (server = await startTestServer()))
after(() => server.close())

const range16 = Array.from({ length: 16 }, (_, index) => index)

test('model status lists served versions as AVAILABLE', async () => {
  const { status, body } = await requestJson(`${server.url}/v1/models/versioned`)
  assert.equal(status, 200)
  assert.deepEqual(
    body.model_version_status.map((entry: any) => [entry.version, entry.state, entry.status.error_code]),
    [['3', 'AVAILABLE', 'OK'], ['2', 'AVAILABLE', 'OK']],
  )
  const one = await requestJson(`${server.url}/v1/models/versioned/versions/2`)
  assert.deepEqual(one.body.model_version_status.map((entry: any) => entry.version), ['2'])
})

test('model metadata has the serving_default signature with TF dtypes', async () => {
  const { status, body } = await requestJson(`${server.url}/v1/models/simple/metadata`)
  assert.equal(status, 200)
  assert.equal(body.model_spec.name, 'simple')
  assert.equal(body.model_spec.version, '1')
  const signature = body.metadata.signature_def.signature_def.serving_default
  assert.equal(signature.method_name, 'tensorflow/serving/predict')
  assert.equal(signature.inputs.INPUT0.dtype, 'DT_INT32')
  assert.deepEqual(signature.inputs.INPUT0.tensor_shape.dim.map((dim: any) => dim.size), ['-1', '16'])
  const versioned = await requestJson(`${server.url}/v1/models/versioned/versions/2/metadata`)
  assert.equal(versioned.body.model_spec.version, '2')
})

test('predict in the row format with named inputs returns one prediction per instance', async () => {
  const { status, body } = await postJson(`${server.url}/v1/models/simple:predict`, {
    instances: [
      { INPUT0: range16, INPUT1: range16 },
      { INPUT0: range16, INPUT1: range16.map(() => 1) },
    ],
  })
  assert.equal(status, 200, JSON.stringify(body))
  assert.equal(body.predictions.length, 2)
  assert.deepEqual(body.predictions[1].OUTPUT1, range16.map((value) => value - 1))
})

test('predict in the row format for a single-input model takes bare instances', async () => {
  const { status, body } = await postJson(`${server.url}/v1/models/mlp:predict`, { instances: [new Array(8).fill(0.5), new Array(8).fill(0)] })
  assert.equal(status, 200, JSON.stringify(body))
  assert.equal(body.predictions.length, 2)
  assert.equal(body.predictions[0].length, 3)
})

test('predict in the columnar format returns outputs keyed by name', async () => {
  const { status, body } = await postJson(`${server.url}/v1/models/versioned/versions/2:predict`, { inputs: { INPUT: [[1, 2, 3, 4]] } })
  assert.equal(status, 200, JSON.stringify(body))
  assert.deepEqual(body.outputs, [[3, 4, 5, 6]])
})

test('BYTES inputs accept {"b64": ...}', async () => {
  const { status, body } = await postJson(`${server.url}/v1/models/identity_bytes:predict`, {
    instances: [{ b64: Buffer.from('hi').toString('base64') }, 'there'],
  })
  assert.equal(status, 200, JSON.stringify(body))
  assert.deepEqual(body.predictions, ['hi', 'there'])
})

test('errors use {"error"}: unknown model 404, bad request 400, wrong shape 400', async () => {
  const missing = await postJson(`${server.url}/v1/models/nope:predict`, { instances: [1] })
  assert.equal(missing.status, 404)
  assert.match(missing.body.error, /nope/)
  const status = await requestJson(`${server.url}/v1/models/nope`)
  assert.equal(status.status, 404)
  const both = await postJson(`${server.url}/v1/models/mlp:predict`, { instances: [[1]], inputs: [[1]] })
  assert.equal(both.status, 400)
  const shape = await postJson(`${server.url}/v1/models/mlp:predict`, { instances: [[1, 2]] })
  assert.equal(shape.status, 400)
  assert.match(shape.body.error, /input 'input' has shape \[1, 2\]; the model expects \[-1, 8\]/)
  const ragged = await postJson(`${server.url}/v1/models/mlp:predict`, { instances: [[1, 2], [1]] })
  assert.equal(ragged.status, 400)
})

test("TF Serving's documented curl form (no JSON content type) works", async () => {
  const response = await requestJson(`${server.url}/v1/models/versioned:predict`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: JSON.stringify({ instances: [[0, 0, 0, 0]] }),
  })
  assert.equal(response.status, 200)
  assert.deepEqual(response.body.predictions, [[3, 3, 3, 3]])
})

test(':classify answers [label, score] per class for every example, labels from the config; context features are shared', async () => {
  const features = new Array(8).fill(0.25)
  const predicted = await postJson(`${server.url}/v1/models/mlp:predict`, { instances: [features] })
  const { status, body } = await postJson(`${server.url}/v1/models/mlp:classify`, { signature_name: 'tensorflow/serving/classify', examples: [{ input: features }, { input: features }] })
  assert.equal(status, 200, JSON.stringify(body))
  const expected = predicted.body.predictions[0].map((score: number, index: number) => ['abc'[index], score])
  assert.deepEqual(body.result, [expected, expected])
  const versioned = await postJson(`${server.url}/v1/models/mlp/versions/1:classify`, { context: { input: features }, examples: [{}] })
  assert.deepEqual(versioned.body.result, [expected])
  const repeated = await postJson(`${server.url}/v1/models/mlp:classify`, { context: { input: features }, examples: [{ input: features }] })
  assert.equal(repeated.status, 400)
  assert.match(repeated.body.error, /examples\[0\] repeats feature 'input' of 'context'/)
})

test(':regress answers one value per example; a model whose output is not one value per example gets 400', async () => {
  const { status, body } = await postJson(`${server.url}/v1/models/identity_fp32:regress`, { examples: [{ INPUT: 1.5 }, { INPUT: -2 }] })
  assert.equal(status, 200, JSON.stringify(body))
  assert.deepEqual(body, { result: [1.5, -2] })
  const wide = await postJson(`${server.url}/v1/models/mlp:regress`, { examples: [{ input: new Array(8).fill(0) }] })
  assert.equal(wide.status, 400)
  assert.match(wide.body.error, /output 'probabilities' has shape \[-1, 3\]; :regress needs one value per example/)
  const noExamples = await postJson(`${server.url}/v1/models/mlp:classify`, { instances: [] })
  assert.equal(noExamples.status, 400)
  assert.match(noExamples.body.error, /'examples' must be a list of objects/)
})
