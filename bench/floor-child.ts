/**
 * @module bench/floor-child
 * The least a server can do for the `bounds` suite's requests — the floor under maas. Each
 * mode skips everything a conforming server must also do (validation, routing, auth,
 * statistics, error handling), so its throughput bounds that of any single-process Node
 * server on the same transport library (node:http, grpc-js, node:http2):
 * - `http-nothing`: node:http, reads the body, answers 40 fixed bytes (HTTP/1.1 alone).
 * - `http-binary` / `http-binary-batched`: the KServe binary request of bench's MLP; the
 *   tensor bytes are taken at Inference-Header-Content-Length without reading the JSON
 *   header, run by onnxruntime-node (one run per request, or one per event-loop turn for all
 *   requests that arrived in it), answered with a fixed binary-extension header and the
 *   40 output bytes.
 * - `http-json` / `http-json-scanned`: the `data` array into a Float32Array (by JSON.parse, or
 *   by maas' own scanner that reads flat numbers straight from the bytes), batched per
 *   event-loop turn as above, JSON.stringify of the output.
 * - `grpcjs-nothing`: a @grpc/grpc-js server (channelz off, its cheapest setting) whose
 *   ModelInfer decodes nothing and answers a fixed, valid ModelInferResponse.
 * - `h2-nothing`: the same over bare node:http2 (gRPC framing and trailers by hand).
 * A request the floor cannot read gets 400, a failed inference 500, so the suite counts them
 * as errors. Prints `{"port": N}` and stops on SIGTERM.
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
import { createMaasLikeSession } from './ort-in-process.ts'

const CLASSES = 10
const INPUT_BYTES = INPUT_FEATURES * 4
/** The modes, and whether each runs the model (and so needs its path). */
const MODES: Readonly<Record<string, boolean>> = {
  'http-nothing': false,
  'http-binary': true,
  'http-binary-batched': true,
  'http-json': true,
  'http-json-scanned': true,
  'grpcjs-nothing': false,
  'h2-nothing': false,
}
const [mode, modelPath] = process.argv.slice(2)
if (!mode || !(mode in MODES) || (MODES[mode] && !modelPath)) throw new Error(`usage: floor-child.ts <${Object.keys(MODES).join('|')}> [model.onnx, for the modes that infer]`)

const session = MODES[mode] ? await createMaasLikeSession(modelPath!) : undefined
const binaryHeader = Buffer.from(JSON.stringify({ model_name: MODEL_NAME, outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [1, CLASSES], parameters: { binary_data_size: CLASSES * 4 } }] }))
const binaryHeaders = { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(binaryHeader.length), 'Content-Length': String(binaryHeader.length + CLASSES * 4) }

class BadRequest extends Error {}

async function infer(inputs: Float32Array, batch: number): Promise<Float32Array> {
  const results = await session!.run({ [INPUT_NAME]: new ort.Tensor('float32', inputs, [batch, INPUT_FEATURES]) }, [OUTPUT_NAME])
  return results[OUTPUT_NAME]!.data as Float32Array
}

/** A view of the tensor bytes of a binary request (callers copy them: they need not be 4-byte aligned). */
function binaryInput(request: http.IncomingMessage, body: Buffer): Uint8Array {
  const offset = Number(request.headers['inference-header-content-length'])
  if (!Number.isInteger(offset) || offset < 0 || body.length !== offset + INPUT_BYTES) throw new BadRequest(`expected a ${INPUT_BYTES}-byte tensor after the JSON header`)
  return body.subarray(offset)
}

function answerBinary(response: http.ServerResponse, output: Float32Array, row: number): void {
  response.writeHead(200, binaryHeaders)
  response.end(Buffer.concat([binaryHeader, Buffer.from(output.buffer, output.byteOffset + row * CLASSES * 4, CLASSES * 4)]))
}

function answerJson(response: http.ServerResponse, output: Float32Array, row: number): void {
  const data = Array.from(output.subarray(row * CLASSES, (row + 1) * CLASSES))
  const text = JSON.stringify({ model_name: MODEL_NAME, outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [1, CLASSES], data }] })
  response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) })
  response.end(text)
}

function answerError(response: http.ServerResponse, error: unknown): void {
  if (response.headersSent) return void response.destroy()
  const text = JSON.stringify({ error: (error as Error).message })
  response.writeHead(error instanceof BadRequest ? 400 : 500, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) })
  response.end(text)
}

interface Pending {
  readonly input: ArrayLike<number> | Uint8Array
  readonly response: http.ServerResponse
  readonly answer: (response: http.ServerResponse, output: Float32Array, row: number) => void
}

/** Requests waiting for this event-loop turn's batch. */
let pending: Pending[] = []

/** Runs every request that arrived in this event-loop turn as one batch. */
function enqueue(entry: Pending): void {
  if (pending.length === 0) setImmediate(runBatch)
  pending.push(entry)
}

function runBatch(): void {
  const batch = pending
  pending = []
  const inputs = new Float32Array(batch.length * INPUT_FEATURES)
  batch.forEach(({ input }, index) => {
    if (input instanceof Uint8Array) new Uint8Array(inputs.buffer, index * INPUT_BYTES, INPUT_BYTES).set(input)
    else inputs.set(input, index * INPUT_FEATURES)
  })
  infer(inputs, batch.length).then(
    (output) => batch.forEach(({ response, answer }, index) => answer(response, output, index)),
    (error: unknown) => batch.forEach(({ response }) => answerError(response, error)),
  )
}

/** The `data` numbers of the request's single input. */
function jsonData(body: Buffer, scanned: boolean): ArrayLike<number> {
  let data: ArrayLike<number> | undefined
  if (scanned) {
    const flat = parseJsonWithFlatData(body, body.length)?.flatData.get(0)
    data = flat && resolveFlatNumbers(flat, 'FP32', body)
  } else data = (JSON.parse(body.toString('utf8')) as { inputs?: { data?: number[] }[] }).inputs?.[0]?.data
  if (data?.length !== INPUT_FEATURES) throw new BadRequest(`expected inputs[0].data with ${INPUT_FEATURES} numbers`)
  return data
}

const handlers: Record<string, (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void> = {
  'http-nothing': (_request, _body, response) => {
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(CLASSES * 4) })
    response.end(Buffer.alloc(CLASSES * 4))
  },
  'http-binary': (request, body, response) => {
    const input = new Float32Array(INPUT_FEATURES)
    new Uint8Array(input.buffer).set(binaryInput(request, body))
    infer(input, 1).then((output) => answerBinary(response, output, 0), (error: unknown) => answerError(response, error))
  },
  'http-binary-batched': (request, body, response) => enqueue({ input: binaryInput(request, body), response, answer: answerBinary }),
  'http-json': (_request, body, response) => enqueue({ input: jsonData(body, false), response, answer: answerJson }),
  'http-json-scanned': (_request, body, response) => enqueue({ input: jsonData(body, true), response, answer: answerJson }),
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
  const server = new Server({ 'grpc.enable_channelz': 0 })
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
  server.on('session', (session) => session.on('error', () => undefined))
  server.on('stream', (stream) => {
    stream.on('error', () => undefined)
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
    request.on('end', () => {
      try {
        handle(request, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), response)
      } catch (error) {
        answerError(response, error)
      }
    })
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
