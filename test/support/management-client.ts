/**
 * Small helpers for management API tests: create a model, upload ONNX bytes, infer on the
 * version-marker models (OUTPUT = INPUT + version, so a response shows which version ran),
 * and count what the registry and artifact store hold.
 */
import { readdirSync, existsSync } from 'node:fs'
import path from 'node:path'
import { GraphBuilder } from '../../src/onnx/onnx-builder.ts'
import { postJson, requestJson, type TestServer } from './test-server.ts'

export type JsonResponse = Awaited<ReturnType<typeof requestJson>>

export function createModel(server: TestServer, body: Record<string, unknown>): Promise<JsonResponse> {
  return postJson(`${server.url}/v1/registry/models`, body)
}

/** Uploads `bytes` as application/octet-stream, metadata as the query parameter. */
export function uploadVersion(server: TestServer, model: string, bytes: Uint8Array, metadata?: Record<string, unknown>): Promise<JsonResponse> {
  const query = metadata ? `?metadata=${encodeURIComponent(JSON.stringify(metadata))}` : ''
  return requestJson(`${server.url}/v1/registry/models/${model}/versions${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bytes,
  })
}

export function putAlias(server: TestServer, model: string, alias: string, target: Record<string, unknown>): Promise<JsonResponse> {
  return requestJson(`${server.url}/v1/registry/models/${model}/aliases/${alias}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(target),
  })
}

/** Infers [0,0,0,0] on a version-marker model; `data[0]` is the version that ran. */
export async function inferMarker(server: TestServer, model: string): Promise<{ status: number; version?: number; body: any }> {
  const response = await postJson(`${server.url}/v2/models/${model}/infer`, { inputs: [{ name: 'INPUT', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0] }] })
  return { status: response.status, body: response.body, ...(response.status === 200 ? { version: response.body.outputs[0].data[0] } : {}) }
}

/** A well-formed ONNX file that onnxruntime refuses (an operator that does not exist). */
export function buildUnloadable(): Uint8Array {
  const graph = new GraphBuilder('unloadable')
  graph.input('INPUT', 'FP32', [-1, 4])
  graph.node('NoSuchOperator', ['INPUT'], { outputs: ['OUTPUT'] })
  graph.output('OUTPUT', 'FP32', [-1, 4])
  return graph.toBytes()
}

/** Files in the artifact store (excluding abandoned temporary files, which must not exist either). */
export function artifactFiles(server: TestServer): string[] {
  const dir = artifactsRootOf(server)
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name))
}

function artifactsRootOf(server: TestServer): string {
  const probe = server.server.artifacts.path!('0'.repeat(64))
  return path.resolve(probe, '..', '..', '..')
}
