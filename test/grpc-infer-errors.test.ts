import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { bufferOf, expectGrpcError } from './support/grpc-test-client.ts'
import { overrideDataPlane, startGrpc, startGrpcTestServer, type GrpcTestServer } from './support/grpc-test-server.ts'

let server: GrpcTestServer
before(async () => (server = await startGrpcTestServer()))
after(() => server.close())

const range16 = Array.from({ length: 16 }, (_, index) => index)
const input0 = { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], contents: { int_contents: range16 } }
const input1 = { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], contents: { int_contents: range16 } }

function infer(request: object, model = 'simple') {
  return server.client.call('ModelInfer', { model_name: model, ...request })
}

test('unknown model and unknown version → NOT_FOUND', async () => {
  await expectGrpcError(infer({ inputs: [input0, input1] }, 'nope'), status.NOT_FOUND, /model 'nope' is not found/)
  await expectGrpcError(infer({ model_version: '7', inputs: [input0, input1] }), status.NOT_FOUND, /version '7' of model 'simple' is not found/)
})

test('a shape the model does not take → INVALID_ARGUMENT naming the tensor and the expected shape', async () => {
  const wrong = { ...input0, shape: [2, 8] }
  await expectGrpcError(infer({ inputs: [wrong, input1] }), status.INVALID_ARGUMENT, /input 'INPUT0' has shape \[2, 8\]; the model expects \[-1, 16\]/)
})

test('typed contents whose length does not match the shape → INVALID_ARGUMENT with both numbers', async () => {
  await expectGrpcError(infer({ inputs: [{ ...input0, shape: [2, 16] }, input1] }), status.INVALID_ARGUMENT, /input 'INPUT0' has 16 elements in int_contents but its shape \[2, 16\] needs 32/)
})

test('raw_input_contents together with contents → INVALID_ARGUMENT, as Triton says it', async () => {
  await expectGrpcError(
    infer({ inputs: [input0, { ...input1, contents: undefined }], raw_input_contents: [Buffer.alloc(64), Buffer.alloc(64)] }),
    status.INVALID_ARGUMENT,
    /input 'INPUT0': contents field must not be specified when using raw_input_contents/,
  )
})

test('raw_input_contents with the wrong size or the wrong number of entries → INVALID_ARGUMENT', async () => {
  await expectGrpcError(
    infer({ inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [2] }], raw_input_contents: [Buffer.alloc(7)] }, 'identity_fp32'),
    status.INVALID_ARGUMENT,
    /input 'INPUT' has 7 bytes in its raw_input_contents but its shape \[2\] of FP32 needs 8/,
  )
  const bare = [{ ...input0, contents: undefined }, { ...input1, contents: undefined }]
  await expectGrpcError(infer({ inputs: bare, raw_input_contents: [Buffer.alloc(64)] }), status.INVALID_ARGUMENT, /raw_input_contents has 1 entries but the request has 2 inputs/)
  await expectGrpcError(
    infer({ inputs: [{ name: 'INPUT', datatype: 'BYTES', shape: [2] }], raw_input_contents: [Buffer.from([5, 0, 0, 0, 104, 105])] }, 'identity_bytes'),
    status.INVALID_ARGUMENT,
    /input 'INPUT' element 0 declares 5 bytes but only 2 remain/,
  )
  await expectGrpcError(
    infer({ inputs: [{ name: 'INPUT', datatype: 'BOOL', shape: [2] }], raw_input_contents: [Buffer.from([1, 2])] }, 'identity_bool'),
    status.INVALID_ARGUMENT,
    /input 'INPUT' element 1 is byte 2; BOOL expects 0 or 1/,
  )
})

test('unknown datatype, wrong contents field, FP16 as typed contents, out-of-range values → INVALID_ARGUMENT', async () => {
  await expectGrpcError(infer({ inputs: [{ ...input0, datatype: 'FLOAT' }, input1] }), status.INVALID_ARGUMENT, /input 'INPUT0' has datatype 'FLOAT'; expected one of BOOL/)
  await expectGrpcError(
    infer({ inputs: [{ ...input0, contents: { fp32_contents: range16 } }, input1] }),
    status.INVALID_ARGUMENT,
    /input 'INPUT0' of INT32 has fp32_contents; INT32 data goes in int_contents/,
  )
  await expectGrpcError(
    infer({ inputs: [{ name: 'INPUT', datatype: 'FP16', shape: [1], contents: { fp32_contents: [1] } }] }, 'identity_fp16'),
    status.INVALID_ARGUMENT,
    /input 'INPUT' is FP16, which has no typed contents field; send its data in raw_input_contents/,
  )
  await expectGrpcError(
    infer({ inputs: [{ name: 'INPUT', datatype: 'INT8', shape: [2], contents: { int_contents: [1, 300] } }] }, 'identity_int8'),
    status.INVALID_ARGUMENT,
    /input 'INPUT' element 1 is 300, out of range for INT8 \[-128, 127\]/,
  )
  await expectGrpcError(infer({ inputs: [{ ...input0, contents: undefined }, input1] }), status.INVALID_ARGUMENT, /input 'INPUT0' has no contents/)
})

test('wrong datatype, missing, duplicate and unknown tensors → INVALID_ARGUMENT naming them', async () => {
  const fp32 = { ...input0, datatype: 'FP32', contents: { fp32_contents: range16 } }
  await expectGrpcError(infer({ inputs: [fp32, input1] }), status.INVALID_ARGUMENT, /input 'INPUT0' has datatype FP32; the model expects INT32/)
  await expectGrpcError(infer({ inputs: [input0] }), status.INVALID_ARGUMENT, /missing input 'INPUT1'/)
  await expectGrpcError(infer({ inputs: [input0, input0, input1] }), status.INVALID_ARGUMENT, /input 'INPUT0' appears more than once/)
  await expectGrpcError(infer({ inputs: [input0, input1], outputs: [{ name: 'OUTPUT9' }] }), status.INVALID_ARGUMENT, /OUTPUT9.*OUTPUT0, OUTPUT1/)
  await expectGrpcError(infer({ inputs: [input0, input1], parameters: { empty: {} } }), status.INVALID_ARGUMENT, /request has parameter 'empty' with no value/)
})

test('an error the server did not expect → INTERNAL with a generic message; the cause stays in the log', async () => {
  const failing = overrideDataPlane(server.dataPlane, {
    infer: async () => {
      throw new Error('secret database password in a stack')
    },
  })
  const grpc = await startGrpc(failing)
  try {
    const error = await expectGrpcError(grpc.client.call('ModelInfer', { model_name: 'simple', inputs: [input0, input1] }), status.INTERNAL)
    assert.equal(error.details, 'internal server error')
  } finally {
    await grpc.close()
  }
})

test('a deadline that passes while the data plane works → DEADLINE_EXCEEDED, and the work is signalled to stop', async () => {
  let signalSeen: AbortSignal | undefined
  const slow = overrideDataPlane(server.dataPlane, {
    infer: (_name: string, _version: string | undefined, _request: unknown, signal?: AbortSignal) => {
      signalSeen = signal
      return new Promise(() => undefined) // never answers by itself
    },
  })
  const grpc = await startGrpc(slow)
  try {
    const started = Date.now()
    await expectGrpcError(grpc.client.call('ModelInfer', { model_name: 'simple', inputs: [input0, input1] }, { deadlineMs: 100 }), status.DEADLINE_EXCEEDED)
    assert.ok(Date.now() - started < 2000)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.ok(signalSeen, 'infer got an AbortSignal')
    assert.equal(signalSeen.aborted, true)
  } finally {
    await grpc.close()
  }
})

test('a very short deadline against the real server → DEADLINE_EXCEEDED at the client', async () => {
  // 8 MB take longer than 1 ms to serialise and send, whatever the machine.
  const big = new Float32Array(2 * 1024 * 1024).fill(0.5)
  await expectGrpcError(
    server.client.call(
      'ModelInfer',
      { model_name: 'identity_fp32', inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [big.length] }], raw_input_contents: [bufferOf(big)] },
      { deadlineMs: 1 },
    ),
    status.DEADLINE_EXCEEDED,
  )
})

test('a message over maxMessageBytes → RESOURCE_EXHAUSTED; under it is served', async () => {
  const grpc = await startGrpc(server.dataPlane, 1024)
  try {
    const request = (count: number) => ({
      model_name: 'identity_fp32',
      inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [count] }],
      raw_input_contents: [bufferOf(new Float32Array(count))],
    })
    await expectGrpcError(grpc.client.call('ModelInfer', request(1024)), status.RESOURCE_EXHAUSTED)
    const small = await grpc.client.call('ModelInfer', request(16))
    assert.equal(small.raw_output_contents[0].length, 64)
  } finally {
    await grpc.close()
  }
})

test('the server keeps serving after every bad request above', async () => {
  const response = await infer({ inputs: [input0, input1] })
  assert.equal(response.outputs.length, 2)
})

test('BYTES elements that are not UTF-8 text or hold a NUL byte → INVALID_ARGUMENT, typed and raw alike', async () => {
  const typed = { name: 'INPUT', datatype: 'BYTES', shape: [2], contents: { bytes_contents: [Buffer.from('ok'), Buffer.from([0x61, 0x00, 0x62])] } }
  await expectGrpcError(infer({ inputs: [typed] }, 'identity_bytes'), status.INVALID_ARGUMENT, /input 'INPUT' element 1 holds a NUL byte/)
  const raw = Buffer.from([1, 0, 0, 0, 0xff])
  await expectGrpcError(infer({ inputs: [{ name: 'INPUT', datatype: 'BYTES', shape: [1] }], raw_input_contents: [raw] }, 'identity_bytes'), status.INVALID_ARGUMENT, /element 0 holds bytes that are not UTF-8/)
})
