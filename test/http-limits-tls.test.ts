import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { PROTO_DIR, PROTO_LOADER_OPTIONS } from '../src/server/grpc/grpc-proto.ts'
import { postJson, startTestServer } from './support/test-server.ts'

const work = mkdtempSync(path.join(os.tmpdir(), 'maas-tls-'))
after(() => rmSync(work, { recursive: true, force: true }))

test('tensor element and BYTES length limits answer 400 naming the input and the setting', async () => {
  const server = await startTestServer({ maxTensorElements: 8, maxStringBytes: 4 })
  try {
    const big = await postJson(`${server.url}/v2/models/identity_fp32/infer`, { inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [16], data: new Array(16).fill(1) }] })
    assert.equal(big.status, 400)
    assert.match(big.body.error, /input 'INPUT' has 16 elements; this server takes at most 8 per tensor \(--max-tensor-elements\)/)
    const long = await postJson(`${server.url}/v2/models/identity_bytes/infer`, { inputs: [{ name: 'INPUT', datatype: 'BYTES', shape: [2], data: ['ok', 'hello'] }] })
    assert.equal(long.status, 400)
    assert.match(long.body.error, /element 1 has 5 bytes; this server takes at most 4 per BYTES element/)
    const fine = await postJson(`${server.url}/v2/models/identity_fp32/infer`, { inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [8], data: new Array(8).fill(1) }] })
    assert.equal(fine.status, 200)
  } finally {
    await server.close()
  }
})

test('with --tls-cert / --tls-key, REST is HTTPS and gRPC is TLS', async () => {
  const cert = path.join(work, 'cert.pem')
  const key = path.join(work, 'key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' })
  const server = await startTestServer({ tlsCert: cert, tlsKey: key })
  const ca = readFileSync(cert)
  try {
    const url = server.url.replace('http://', 'https://')
    const body = await new Promise<string>((resolve, reject) => {
      https.get(`${url}/v2/health/ready`, { ca }, (response) => {
        let text = ''
        response.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve(text))
      }).on('error', reject)
    })
    assert.deepEqual(JSON.parse(body), { ready: true })
    await assert.rejects(fetch(`${server.url}/v2/health/ready`), 'plain HTTP is not served on the TLS port')
    const definition = protoLoader.loadSync(path.join(PROTO_DIR, 'grpc_service.proto'), { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_DIR] })
    const Service = (grpc.loadPackageDefinition(definition) as any).inference.GRPCInferenceService
    const client = new Service(server.grpcAddress, grpc.credentials.createSsl(ca))
    const live = await new Promise<any>((resolve, reject) => client.ServerLive({}, (error: Error | null, response: unknown) => (error ? reject(error) : resolve(response))))
    assert.equal(live.live, true)
    client.close()
  } finally {
    await server.close()
  }
})
