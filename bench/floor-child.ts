/**
 * @module bench/floor-child
 * The least a server can do for the `bounds` suite's requests — the floor under maas. Each
 * mode skips everything a conforming server must also do (validation, routing, auth,
 * statistics, error handling), so its throughput is an upper bound for any server on the
 * same transport, and maas ÷ echo can be no better than floor ÷ echo:
 * - `http-nothing`: node:http, reads the body, answers a fixed 40-byte body (HTTP/1.1 alone).
 * - `http-binary` / `http-binary-batched`: the KServe binary request of bench's MLP; the
 *   tensor bytes are taken at Inference-Header-Content-Length without reading the JSON
 *   header, run by onnxruntime-node (one run per request, or one per event-loop turn for all
 *   requests that arrived in it), answered with a fixed binary-extension header.
 * - `http-json` / `http-json-scanned`: the `data` array into a Float32Array (by JSON.parse, or
 *   by maas' own scanner that reads flat numbers straight from the bytes), batched per
 *   event-loop turn as above, JSON.stringify of the output.
 * - `grpcjs-nothing`: a @grpc/grpc-js server (the library the issue names) whose ModelInfer
 *   skips decoding and answers a fixed, valid ModelInferResponse.
 * - `h2-nothing`: the same over bare node:http2 (gRPC framing and trailers by hand).
 * Prints `{"port": N}` and stops on SIGTERM.
 */
import http from 'node:http'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { Server, ServerCredentials } from '@grpc/grpc-js'
import * as ort from 'onnxruntime-node'
import { parseJsonWithFlatData, resolveFlatNumbers } from '../src/server/http/codecs/json-flat-data-scanner.ts'
import { grpcMessageTypes } from '../src/server/grpc/grpc-message-types.ts'
import { INFERENCE_SERVICE_NAME } from '../src/server/grpc/grpc-proto.ts'
import { INPUT_FEATURES, INPUT_NAME, MODEL_NAME, OUTPUT_NAME } from './mlp-fixture.ts'

const CLASSES = 10
const [mode, modelPath] = process.argv.slice(2)
const MODES = ['http-nothing', 'http-binary', 'http-binary-batched', 'http-json', 'http-json-scanned', 'grpcjs-nothing', 'h2-nothing']
if (!mode || !MODES.includes(mode)) throw new Error(`usage: floor-child.ts <${MODES.join('|')}> [model.onnx]`)

const session = modelPath ? await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } }) : undefined
const binaryHeader = Buffer.from(JSON.stringify({ model_name: MODEL_NAME, outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [1, CLASSES], parameters: { binary_data_size: CLASSES * 4 } }] }))
const binaryHeaders = { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(binaryHeader.length), 'Content-Length': String(binaryHeader.length + CLASSES * 4) }

async function infer(inputs: Float32Array, batch: number): Promise<Float32Array> {
  const results = await session!.run({ [INPUT_NAME]: new ort.Tensor('float32', inputs, [batch, INPUT_FEATURES]) }, [OUTPUT_NAME])
  return results[OUTPUT_NAME]!.data as Float32Array
}

/** The tensor of a binary request, copied out (its bytes need not be 4-byte aligned in the body). */
function binaryInput(request: http.IncomingMessage, body: Buffer): Uint8Array {
  const offset = Number(request.headers['inference-header-content-length'])
  return body.subarray(offset, offset + INPUT_FEATURES * 4)
}

function answerBinary(response: http.ServerResponse, output: Float32Array, row: number): void {
  response.writeHead(200, binaryHeaders)
  response.end(Buffer.concat([binaryHeader, Buffer.from(output.buffer, output.byteOffset + row * CLASSES * 4, CLASSES * 4)]))
}

/** Requests waiting for this event-loop turn's batch: their input bytes and how to answer. */
let pending: { input: Uint8Array; answer: (output: Float32Array, row: number) => void }[] = []

/** Runs every request that arrived in this event-loop turn as one batch. */
function enqueue(input: Uint8Array, answer: (output: Float32Array, row: number) => void): void {
  if (pending.length === 0) setImmediate(() => void runBatch())
  pending.push({ input, answer })
}

async function runBatch(): Promise<void> {
  const batch = pending
  pending = []
  const inputs = new Float32Array(batch.length * INPUT_FEATURES)
  const bytes = new Uint8Array(inputs.buffer)
  batch.forEach((entry, index) => bytes.set(entry.input, index * INPUT_FEATURES * 4))
  const output = await infer(inputs, batch.length)
  batch.forEach((entry, index) => entry.answer(output, index))
}

function answerJson(response: http.ServerResponse, output: Float32Array, row: number): void {
  const data = Array.from(output.subarray(row * CLASSES, (row + 1) * CLASSES))
  const text = JSON.stringify({ model_name: MODEL_NAME, outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [1, CLASSES], data }] })
  response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) })
  response.end(text)
}

const bytesOf = (values: Float32Array) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength)

const handlers: Record<string, (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void | Promise<void>> = {
  'http-nothing': (_request, _body, response) => {
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(CLASSES * 4) })
    response.end(Buffer.alloc(CLASSES * 4))
  },
  'http-binary': async (request, body, response) => {
    const input = new Float32Array(INPUT_FEATURES)
    new Uint8Array(input.buffer).set(binaryInput(request, body))
    answerBinary(response, await infer(input, 1), 0)
  },
  'http-binary-batched': (request, body, response) => enqueue(binaryInput(request, body), (output, row) => answerBinary(response, output, row)),
  'http-json': (_request, body, response) => {
    const data = (JSON.parse(body.toString('utf8')) as { inputs: { data: number[] }[] }).inputs[0]!.data
    enqueue(bytesOf(Float32Array.from(data)), (output, row) => answerJson(response, output, row))
  },
  'http-json-scanned': (_request, body, response) => {
    const flat = parseJsonWithFlatData(body, body.length)!.flatData.get(0)!
    enqueue(bytesOf(Float32Array.from(resolveFlatNumbers(flat, 'FP32', body))), (output, row) => answerJson(response, output, row))
  },
}

const inferPath = `/${INFERENCE_SERVICE_NAME}/ModelInfer`
const fixedResponse = Buffer.from(
  grpcMessageTypes()
    .ModelInferResponse.encode({ model_name: MODEL_NAME, model_version: '1', outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [1, CLASSES] }], raw_output_contents: [Buffer.alloc(CLASSES * 4)] })
    .finish(),
)

const stoppers: (() => void)[] = []
const listening = (port: number) => console.log(JSON.stringify({ port }))
if (mode === 'grpcjs-nothing') {
  const server = new Server()
  const passThrough = (bytes: Buffer) => bytes
  const method = { path: inferPath, requestStream: false, responseStream: false, requestSerialize: passThrough, requestDeserialize: passThrough, responseSerialize: passThrough, responseDeserialize: passThrough }
  server.addService({ ModelInfer: method } as never, { ModelInfer: (_call: unknown, callback: (error: null, response: Buffer) => void) => callback(null, fixedResponse) })
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error
    listening(port)
  })
  stoppers.push(() => server.forceShutdown())
} else if (mode === 'h2-nothing') {
  const framed = Buffer.alloc(5 + fixedResponse.length)
  framed.writeUInt32BE(fixedResponse.length, 1)
  fixedResponse.copy(framed, 5)
  const server = http2.createServer()
  server.on('stream', (stream) => {
    stream.on('data', () => undefined)
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
      stream.end(framed)
    })
  })
  server.listen(0, '127.0.0.1', () => listening((server.address() as AddressInfo).port))
  stoppers.push(() => server.close())
} else {
  const handle = handlers[mode]!
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => void handle(request, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), response))
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1', () => listening((server.address() as AddressInfo).port))
  stoppers.push(() => {
    server.closeAllConnections()
    server.close()
  })
}
process.on('SIGTERM', () => {
  for (const stop of stoppers) stop()
  process.exit(0)
})
