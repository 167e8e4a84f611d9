/**
 * @module scripts/check-imports.test
 * Unit tests for the import checker on in-memory sources and graphs, plus one run over a
 * throwaway src/ tree in a temp folder. Nothing here reads the real src/.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  LAYER_RANKS,
  buildGraph,
  checkLayers,
  checkProject,
  findCycles,
  formatCycle,
  formatReport,
  parseImports,
  resolveImport,
  scanImports,
  type Edge,
} from './check-imports.ts'

test('LAYER_RANKS is the agreed table', () => {
  assert.deepEqual(LAYER_RANKS, {
    core: 0, onnx: 1, config: 1, registry: 2, artifacts: 2, runtime: 2, autodiff: 2,
    nn: 3, inference: 3, training: 4, optimize: 4, convert: 4, control: 4.5, server: 5, client: 5, cli: 6,
  })
})

test('parses every static, re-export, side-effect and dynamic import form', () => {
  const source = `
import a from './a.ts'
import { b1,
  b2 as bee,
  type B3,
} from "./b.js"
import * as c from './c.ts'
import d, { d1 } from './d.ts'
import type { E } from './e.ts'
import type F from './f.ts'
import './g.ts'
export * from './h.ts'
export * as i from './i.ts'
export { j, k as kay } from './j.ts'
export type { L } from './l.ts'
export type * from './m.ts'
const n = await import('./n.ts')
const o = await import(\`./o.ts\`)
import data from './p.json' with { type: 'json' }
import q = require('./q.ts')
import fs from 'node:fs'
`
  assert.deepEqual(parseImports(source), [
    './a.ts', './b.js', './c.ts', './d.ts', './e.ts', './f.ts', './g.ts', './h.ts', './i.ts',
    './j.ts', './l.ts', './m.ts', './n.ts', './o.ts', './p.json', './q.ts', 'node:fs',
  ])
})

test('marks import type, export type and typeof import() as type-only, and nothing else', () => {
  const refs = scanImports(`
import type { A } from './a.ts'
import { type B } from './b.ts'
import type from './type-named-default.ts'
export type { C } from './c.ts'
type D = typeof import('./d.ts')
const e = import('./e.ts')
`)
  assert.deepEqual(
    refs.map((ref) => [ref.specifier, ref.typeOnly, ref.line]),
    [
      ['./a.ts', true, 2],
      ['./b.ts', false, 3],
      ['./type-named-default.ts', false, 4],
      ['./c.ts', true, 5],
      ['./d.ts', true, 6],
      ['./e.ts', false, 7],
    ],
  )
})

test('ignores imports inside comments, strings, templates and regexes, and non-keyword uses', () => {
  const source = `
// import a from './comment.ts'
/* import b from './block.ts'
   export * from './block2.ts' */
const s = "import c from './string.ts'"
const t = \`import d from './template.ts' \${ "import('./inner.ts')" } and more\`
const r = /import e from '.\\/regex.ts'/g
const ratio = total / count / 2; const quote = "'"
const url = new URL('./onnx.proto', import.meta.url)
loader.import('./member.ts')
export { local, other as renamed }
export const from = './not-an-import.ts'
const next = await import('./real.ts')
`
  assert.deepEqual(parseImports(source), ['./real.ts'])
})

test('resolves .ts, .js to .ts, bare names and folder index files', () => {
  const files = new Set(['/r/src/a/x.ts', '/r/src/b/index.ts', '/r/src/c/y.ts', '/r/src/d/only.js'])
  const isFile = (file: string): boolean => files.has(file)
  assert.deepEqual(resolveImport('/r/src/a/m.ts', './x.ts', isFile), { resolved: '/r/src/a/x.ts' })
  assert.deepEqual(resolveImport('/r/src/a/m.ts', './x.js', isFile), { resolved: '/r/src/a/x.ts' })
  assert.deepEqual(resolveImport('/r/src/a/m.ts', '../c/y', isFile), { resolved: '/r/src/c/y.ts' })
  assert.deepEqual(resolveImport('/r/src/a/m.ts', '../b', isFile), { resolved: '/r/src/b/index.ts' })
  assert.deepEqual(resolveImport('/r/src/a/m.ts', '../b/', isFile), { resolved: '/r/src/b/index.ts' })
  assert.deepEqual(resolveImport('/r/src/a/m.ts', '../d/only.js', isFile), { resolved: '/r/src/d/only.js' })
  assert.deepEqual(resolveImport('/r/src/a/m.ts', './missing.ts', isFile), { tried: ['/r/src/a/missing.ts'] })
})

test('finds a cycle in a small graph and prints it as a → b → c → a', () => {
  const graph = buildGraph([
    { from: 'core/c.ts', to: 'core/a.ts' },
    { from: 'core/a.ts', to: 'core/b.ts' },
    { from: 'core/b.ts', to: 'core/c.ts' },
    { from: 'core/b.ts', to: 'core/leaf.ts' },
    { from: 'core/self.ts', to: 'core/self.ts' },
  ])
  const cycles = findCycles(graph)
  assert.deepEqual(cycles, [['core/a.ts', 'core/b.ts', 'core/c.ts'], ['core/self.ts']])
  assert.equal(formatCycle(cycles[0]!), 'core/a.ts → core/b.ts → core/c.ts → core/a.ts')
  assert.equal(formatCycle(cycles[1]!, 'src/'), 'src/core/self.ts → src/core/self.ts')
})

test('reports no cycles in a DAG with shared dependencies', () => {
  const graph = buildGraph([
    { from: 'cli/x.ts', to: 'server/s.ts' },
    { from: 'cli/x.ts', to: 'core/e.ts' },
    { from: 'server/s.ts', to: 'core/e.ts' },
  ])
  assert.deepEqual(findCycles(graph), [])
})

test('type-only edges close a cycle unless type imports are left out', () => {
  const edges: Edge[] = [
    { from: 'core/a.ts', to: 'core/b.ts' },
    { from: 'core/b.ts', to: 'core/a.ts', typeOnly: true },
  ]
  assert.equal(findCycles(buildGraph(edges)).length, 1)
  assert.equal(findCycles(buildGraph(edges, { typeImports: false })).length, 0)
})

test('flags an import that points up or sideways between layers', () => {
  const violations = checkLayers([
    { from: 'core/tensor.ts', to: 'runtime/engine.ts', line: 3 },
    { from: 'config/config.ts', to: 'onnx/onnx-proto.ts', typeOnly: true },
    { from: 'runtime/engine.ts', to: 'registry/store.ts' },
  ])
  assert.deepEqual(violations.map((v) => v.kind), ['layer', 'layer', 'layer'])
  assert.match(violations[0]!.message, /src\/core\/tensor\.ts:3 → src\/runtime\/engine\.ts: core \(0\) must not import runtime \(2\), points up/)
  assert.match(violations[1]!.message, /\(type-only\).*config \(1\) must not import onnx \(1\), same rank/)
  assert.match(violations[2]!.message, /runtime \(2\) must not import registry \(2\)/)
})

test('client may import only core, and server and client never import each other', () => {
  const violations = checkLayers([
    { from: 'client/sdk.ts', to: 'core/errors.ts' },
    { from: 'client/sdk.ts', to: 'onnx/onnx-signature.ts' },
    { from: 'client/sdk.ts', to: 'server/http/codec.ts' },
    { from: 'server/http/routes.ts', to: 'client/sdk.ts' },
  ])
  assert.equal(violations.length, 3)
  assert.match(violations[0]!.message, /client may import only core, not onnx/)
  assert.match(violations[1]!.message, /client\/ must not import server\//)
  assert.match(violations[2]!.message, /server\/ must not import client\//)
})

test('server/http and server/grpc must not import each other, but may import the rest of server/', () => {
  const violations = checkLayers([
    { from: 'server/http/routes.ts', to: 'server/grpc/servicer.ts' },
    { from: 'server/grpc/servicer.ts', to: 'server/http/codec.ts' },
    { from: 'server/http/routes.ts', to: 'server/auth.ts' },
    { from: 'server/grpc/servicer.ts', to: 'server/grpc/codec.ts' },
    { from: 'server/https-redirect/x.ts', to: 'server/grpc/codec.ts' },
  ])
  assert.deepEqual(violations.map((v) => v.kind), ['forbidden-pair', 'forbidden-pair'])
})

test('flags an unknown layer once, and a file sitting directly in src/', () => {
  const violations = checkLayers(
    [
      { from: 'utils/helpers.ts', to: 'core/errors.ts' },
      { from: 'core/errors.ts', to: 'utils/other.ts' },
    ],
    ['utils/helpers.ts', 'index.ts'],
  )
  assert.deepEqual(violations.map((v) => v.kind), ['unknown-layer', 'unknown-layer'])
  assert.match(violations[0]!.message, /unknown layer 'utils' \(src\/utils\/helpers\.ts\), add it to the table in scripts\/check-imports\.ts/)
  assert.match(violations[1]!.message, /src\/index\.ts sits directly under src\//)
})

test('passes a clean graph that follows the layers', () => {
  const edges: Edge[] = [
    { from: 'cli/serve.ts', to: 'server/http/server.ts' },
    { from: 'cli/serve.ts', to: 'config/config.ts' },
    { from: 'server/http/server.ts', to: 'inference/data-plane.ts' },
    { from: 'inference/data-plane.ts', to: 'runtime/engine.ts' },
    { from: 'runtime/engine.ts', to: 'onnx/onnx-signature.ts' },
    { from: 'runtime/engine.ts', to: 'core/tensor.ts' },
    { from: 'onnx/onnx-signature.ts', to: 'core/errors.ts' },
    { from: 'client/sdk.ts', to: 'core/tensor.ts' },
    { from: 'cli/infer.ts', to: 'client/sdk.ts' },
  ]
  assert.deepEqual(checkLayers(edges, edges.map((e) => e.from)), [])
  assert.deepEqual(findCycles(buildGraph(edges)), [])
})

test('checkProject reads a src/ tree from disk and reports cycles, violations and unresolved imports', (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'check-imports-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const src = path.join(root, 'src')
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(src, file)), { recursive: true })
    writeFileSync(path.join(src, file), text)
  }
  write('core/errors.ts', 'export class E extends Error {}\n')
  write('core/index.ts', "export * from './errors.js'\n")
  write('runtime/engine.ts', "import type { E } from '../core/index.ts'\nimport '../core'\n")
  write('runtime/engine.test.ts', "import { test } from 'node:test'\nimport './engine.ts'\n")

  const clean = checkProject(src)
  assert.equal(clean.files.length, 4)
  assert.equal(clean.edges.length, 3) // the two runtime → core/index.ts imports are one edge
  const ok = formatReport(clean)
  assert.equal(ok.ok, true)
  assert.deepEqual(ok.lines, ['check-imports: OK (4 files, 3 edges, 2 layers; no cycles, no layer violations)'])

  write('core/errors.ts', "import type { X } from '../runtime/engine.ts'\nimport './gone.ts'\n")
  const broken = checkProject(src)
  assert.deepEqual(broken.cycles, [['core/errors.ts', 'runtime/engine.ts', 'core/index.ts']])
  assert.equal(broken.violations.length, 1)
  assert.equal(broken.unresolved.length, 1)
  const failed = formatReport(broken)
  assert.equal(failed.ok, false)
  const text = failed.lines.join('\n')
  assert.match(text, /src\/core\/errors\.ts → src\/runtime\/engine\.ts → src\/core\/index\.ts → src\/core\/errors\.ts/)
  assert.match(text, /src\/core\/errors\.ts:1 → src\/runtime\/engine\.ts \(type-only\): core \(0\) must not import runtime \(2\)/)
  assert.match(text, /src\/core\/errors\.ts:2 imports '\.\/gone\.ts', which is not a file/)

  assert.deepEqual(checkProject(src, { typeImportsInCycles: false }).cycles, [])
})
