/**
 * Builds a real Triton-layout model repository in a temporary folder from tiny ONNX models
 * made by the GraphBuilder: every datatype, multi-input/output, versions, a batching MLP.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DATATYPES, type Datatype } from '../../src/core/datatypes.ts'
import { buildIdentity, buildMlp, buildSimpleAddSub } from '../../src/onnx/example-models.ts'
import { GraphBuilder } from '../../src/onnx/onnx-builder.ts'

export function identityModelName(datatype: Datatype): string {
  return `identity_${datatype.toLowerCase()}`
}

/** FP32 [-1, 4] → OUTPUT = INPUT + version, so a response shows which version ran. */
export function buildVersionMarker(version: number): Uint8Array {
  const graph = new GraphBuilder('versioned')
  graph.input('INPUT', 'FP32', [-1, 4])
  graph.initializer('offset', { datatype: 'FP32', shape: [1], data: new Float32Array([version]) })
  graph.node('Add', ['INPUT', 'offset'], { outputs: ['OUTPUT'] })
  graph.output('OUTPUT', 'FP32', [-1, 4])
  return graph.toBytes()
}

export function writeModel(repository: string, name: string, version: number, bytes: Uint8Array, config?: object): void {
  const directory = path.join(repository, name, String(version))
  mkdirSync(directory, { recursive: true })
  writeFileSync(path.join(directory, 'model.onnx'), bytes)
  if (config) writeFileSync(path.join(repository, name, 'config.json'), JSON.stringify(config))
}

/** A fresh repository with the standard fixtures; returns its path. */
export function createFixtureRepository(): string {
  const repository = mkdtempSync(path.join(os.tmpdir(), 'maas-repo-'))
  writeModel(repository, 'simple', 1, buildSimpleAddSub('INT32', { metadata: { author: 'maas tests' } }), { max_batch_size: 8 })
  for (const datatype of DATATYPES) writeModel(repository, identityModelName(datatype), 1, buildIdentity(datatype, [-1]))
  writeModel(repository, 'mlp', 1, buildMlp({ inputs: 8, hidden: [16], classes: 3 }), { max_batch_size: 64, labels: ['a', 'b', 'c'] })
  for (const version of [1, 2, 3]) writeModel(repository, 'versioned', version, buildVersionMarker(version))
  writeFileSync(path.join(repository, 'versioned', 'config.json'), JSON.stringify({ version_policy: { latest: { num_versions: 2 } } }))
  return repository
}

