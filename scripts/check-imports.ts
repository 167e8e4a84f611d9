/**
 * @module scripts/check-imports
 * Keeps "imports point one way" true: fails on import cycles among src/ files and on
 * imports that go up, or sideways, between the layers ranked in LAYER_RANKS below.
 * Dependency-free on purpose (a small tokenizer, not the TypeScript compiler), so it runs
 * in a second and cannot be broken by the code it checks.
 *
 *   node --import tsx scripts/check-imports.ts [--ignore-type-cycles]
 *
 * Type-only imports (`import type`, `export type … from`, `typeof import('…')`) count for
 * layering always, and for cycles by default: a type cycle still ties two modules together
 * for readers and for the compiler. `--ignore-type-cycles` leaves them out of cycle search.
 * Test files are checked like any other file; a test is a leaf, so it joins a cycle only
 * when production code imports it, which is itself worth failing on.
 * An unresolved relative import fails the check too: an edge the checker cannot follow is
 * an edge it cannot vouch for.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** Rank of each layer (top-level folder of src/): a file may import its own layer or a lower rank. */
export const LAYER_RANKS: Readonly<Record<string, number>> = Object.freeze({
  core: 0,
  onnx: 1,
  config: 1,
  registry: 2,
  artifacts: 2,
  runtime: 2,
  autodiff: 2,
  nn: 3,
  inference: 3,
  training: 4,
  optimize: 4,
  convert: 4,
  // The control plane (registry-backed model management, training jobs) uses the registry,
  // artifacts, runtime and training; the server's adapters use it.
  control: 4.5,
  server: 5,
  client: 5,
  cli: 6,
})

/** Layers restricted to an explicit list of other layers, whatever the ranks allow. */
export const ONLY_IMPORTS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  client: Object.freeze(['core']),
})

/** [importer prefix, imported prefix] pairs that must never form an edge (paths relative to src/). */
export const FORBIDDEN_PREFIX_PAIRS: readonly (readonly [string, string])[] = Object.freeze([
  ['server/http', 'server/grpc'],
  ['server/grpc', 'server/http'],
  // Already implied by the equal rank of server and client; listed so the intent is explicit.
  ['server', 'client'],
  ['client', 'server'],
] as const)

/** The rules checkLayers applies; the defaults are the tables above. */
export interface LayerRules {
  readonly ranks: Readonly<Record<string, number>>
  readonly onlyImports: Readonly<Record<string, readonly string[]>>
  readonly forbiddenPrefixPairs: readonly (readonly [string, string])[]
}

/** The project's rules. */
export const DEFAULT_RULES: LayerRules = Object.freeze({
  ranks: LAYER_RANKS,
  onlyImports: ONLY_IMPORTS,
  forbiddenPrefixPairs: FORBIDDEN_PREFIX_PAIRS,
})

/** One import found in a source file. */
export interface ImportRef {
  readonly specifier: string
  readonly kind: 'static' | 'side-effect' | 'export-from' | 'dynamic' | 'import-equals'
  /** True for `import type`, `export type … from` and `typeof import('…')`. */
  readonly typeOnly: boolean
  /** 1-based line of the `import` / `export` keyword. */
  readonly line: number
}

/** A resolved import between two files, paths relative to src/ with '/' separators. */
export interface Edge {
  readonly from: string
  readonly to: string
  readonly line?: number
  readonly typeOnly?: boolean
}

/** Something checkLayers rejects. */
export interface Violation {
  readonly kind: 'unknown-layer' | 'layer' | 'forbidden-pair'
  readonly message: string
  readonly edge?: Edge
}

// ---------------------------------------------------------------------------------------
// Tokenizer: just enough JavaScript/TypeScript lexing to never mistake a comment, string,
// template or regex for an import.

interface Token {
  readonly kind: 'name' | 'string' | 'template' | 'punct' | 'other'
  readonly value: string
  readonly line: number
}

const REGEX_AFTER_KEYWORD = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case',
  'do', 'else', 'yield', 'await',
])

function isNameStart(ch: string): boolean {
  return /[A-Za-z_$]/.test(ch) || ch.charCodeAt(0) > 0x7f
}

function isNamePart(ch: string): boolean {
  return /[\w$]/.test(ch) || ch.charCodeAt(0) > 0x7f
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  // Brace depth inside each open `${ … }`; a `}` at depth 0 resumes the template.
  const templates: number[] = []
  let line = 1
  let i = 0
  const n = source.length

  const regexAllowed = (): boolean => {
    const prev = tokens.at(-1)
    if (prev === undefined) return true
    if (prev.kind === 'name') return REGEX_AFTER_KEYWORD.has(prev.value)
    if (prev.kind === 'punct') return ![')', ']', '}'].includes(prev.value)
    return false
  }

  // Reads template text from i (just past '`' or '}') to its end or to the next '${'.
  // Returns the cooked-enough text and whether the template is finished.
  const readTemplateChunk = (): { text: string; done: boolean } => {
    let text = ''
    while (i < n) {
      const ch = source[i]!
      if (ch === '\\') {
        text += source[i + 1] ?? ''
        if (source[i + 1] === '\n') line++
        i += 2
      } else if (ch === '`') {
        i++
        return { text, done: true }
      } else if (ch === '$' && source[i + 1] === '{') {
        i += 2
        return { text, done: false }
      } else {
        if (ch === '\n') line++
        text += ch
        i++
      }
    }
    return { text, done: true }
  }

  while (i < n) {
    const ch = source[i]!
    const next = source[i + 1]
    if (ch === '\n') {
      line++
      i++
    } else if (/\s/.test(ch)) {
      i++
    } else if (ch === '/' && next === '/') {
      while (i < n && source[i] !== '\n') i++
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      const stop = end === -1 ? n : end + 2
      for (let k = i; k < stop; k++) if (source[k] === '\n') line++
      i = stop
    } else if (ch === '"' || ch === "'") {
      const start = line
      let text = ''
      i++
      while (i < n && source[i] !== ch && source[i] !== '\n') {
        if (source[i] === '\\') {
          text += source[i + 1] ?? ''
          if (source[i + 1] === '\n') line++
          i += 2
        } else {
          text += source[i]
          i++
        }
      }
      i++
      tokens.push({ kind: 'string', value: text, line: start })
    } else if (ch === '`') {
      const start = line
      i++
      const chunk = readTemplateChunk()
      if (chunk.done) {
        // A template without substitutions is as good as a string literal.
        tokens.push({ kind: 'string', value: chunk.text, line: start })
      } else {
        tokens.push({ kind: 'template', value: '`', line: start })
        templates.push(0)
      }
    } else if (ch === '}' && templates.length > 0 && templates.at(-1) === 0) {
      templates.pop()
      i++
      const chunk = readTemplateChunk()
      if (!chunk.done) templates.push(0)
      tokens.push({ kind: 'template', value: '`', line })
    } else if (isNameStart(ch)) {
      const start = i
      while (i < n && isNamePart(source[i]!)) i++
      tokens.push({ kind: 'name', value: source.slice(start, i), line })
    } else if (/\d/.test(ch) || (ch === '.' && next !== undefined && /\d/.test(next))) {
      const start = i
      while (i < n && /[\w.]/.test(source[i]!)) i++
      tokens.push({ kind: 'other', value: source.slice(start, i), line })
    } else if (ch === '/' && regexAllowed()) {
      const start = i
      let inClass = false
      i++
      while (i < n && source[i] !== '\n') {
        const c = source[i]!
        if (c === '\\') i++
        else if (c === '[') inClass = true
        else if (c === ']') inClass = false
        else if (c === '/' && !inClass) break
        i++
      }
      i++
      while (i < n && isNamePart(source[i]!)) i++
      tokens.push({ kind: 'other', value: source.slice(start, i), line })
    } else if (ch === '.' && source.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...', line })
      i += 3
    } else if (ch === '?' && next === '.' && !/\d/.test(source[i + 2] ?? '')) {
      tokens.push({ kind: 'punct', value: '?.', line })
      i += 2
    } else {
      if (templates.length > 0) {
        if (ch === '{') templates[templates.length - 1]! += 1
        else if (ch === '}') templates[templates.length - 1]! -= 1
      }
      tokens.push({ kind: 'punct', value: ch, line })
      i++
    }
  }
  return tokens
}

// ---------------------------------------------------------------------------------------
// Import extraction

function isPunct(token: Token | undefined, value: string): boolean {
  return token?.kind === 'punct' && token.value === value
}

function isName(token: Token | undefined, value?: string): boolean {
  return token?.kind === 'name' && (value === undefined || token.value === value)
}

/**
 * Scans an import or export clause starting at tokens[j] for `from '…'`; returns the index
 * of the specifier token, or -1 when the clause ends without one (a local export).
 */
function findFromSpecifier(tokens: readonly Token[], j: number): number {
  let depth = 0
  for (; j < tokens.length; j++) {
    const token = tokens[j]!
    if (depth === 0 && isName(token, 'from') && tokens[j + 1]?.kind === 'string') return j + 1
    if (isPunct(token, '{')) depth++
    else if (isPunct(token, '}')) depth--
    else if (token.kind === 'name' || isPunct(token, ',') || isPunct(token, '*')) continue
    else if (token.kind === 'string' && (depth > 0 || isName(tokens[j - 1], 'as'))) continue
    else return -1
    if (depth < 0) return -1
  }
  return -1
}

/** Every import in a source file, with its kind, type-only flag and line. */
export function scanImports(source: string): ImportRef[] {
  const tokens = tokenize(source)
  const found: ImportRef[] = []
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.kind !== 'name' || (token.value !== 'import' && token.value !== 'export')) continue
    const prev = tokens[i - 1]
    // `x.import(…)` and `x?.import` are member accesses, not the keyword.
    if (isPunct(prev, '.') || isPunct(prev, '?.')) continue
    const next = tokens[i + 1]

    if (token.value === 'import') {
      if (isPunct(next, '(')) {
        const arg = tokens[i + 2]
        if (arg?.kind === 'string' && (isPunct(tokens[i + 3], ')') || isPunct(tokens[i + 3], ','))) {
          found.push({ specifier: arg.value, kind: 'dynamic', typeOnly: isName(prev, 'typeof'), line: token.line })
        }
        continue
      }
      if (next?.kind === 'string') {
        found.push({ specifier: next.value, kind: 'side-effect', typeOnly: false, line: token.line })
        continue
      }
      let j = i + 1
      let typeOnly = false
      // `import type X from`, `import type { … } from`; but `import type from './x'` is a default import named type.
      if (isName(tokens[j], 'type')) {
        const after = tokens[j + 1]
        const defaultNamedType = isName(after, 'from') && tokens[j + 2]?.kind === 'string'
        if (!defaultNamedType && (isPunct(after, '{') || isPunct(after, '*') || isName(after))) {
          typeOnly = true
          j++
        }
      }
      // `import x = require('./y')`
      if (isName(tokens[j]) && isPunct(tokens[j + 1], '=')) {
        const arg = tokens[j + 4]
        if (isName(tokens[j + 2], 'require') && isPunct(tokens[j + 3], '(') && arg?.kind === 'string') {
          found.push({ specifier: arg.value, kind: 'import-equals', typeOnly, line: token.line })
        }
        continue
      }
      if (!(isName(tokens[j]) || isPunct(tokens[j], '{') || isPunct(tokens[j], '*'))) continue
      const at = findFromSpecifier(tokens, j)
      if (at !== -1) found.push({ specifier: tokens[at]!.value, kind: 'static', typeOnly, line: token.line })
      continue
    }

    // export … from
    let j = i + 1
    let typeOnly = false
    if (isName(tokens[j], 'type') && (isPunct(tokens[j + 1], '{') || isPunct(tokens[j + 1], '*'))) {
      typeOnly = true
      j++
    }
    if (!(isPunct(tokens[j], '{') || isPunct(tokens[j], '*'))) continue
    const at = findFromSpecifier(tokens, j)
    if (at !== -1) found.push({ specifier: tokens[at]!.value, kind: 'export-from', typeOnly, line: token.line })
  }
  return found
}

/** The module specifiers a source file imports or re-exports, in source order. */
export function parseImports(source: string): string[] {
  return scanImports(source).map((ref) => ref.specifier)
}

/** True for './x' and '../x' style specifiers, the only ones this check follows. */
export function isRelativeSpecifier(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')
}

/**
 * Resolves a relative specifier from an absolute file path the way tsx/NodeNext with
 * allowImportingTsExtensions does: exact file, '.js' → '.ts', bare → '.ts' or '/index.ts'.
 * Returns the candidates tried first to last when nothing exists, as `{ tried }`.
 */
export function resolveImport(
  fromFile: string,
  specifier: string,
  isFile: (absolutePath: string) => boolean,
): { resolved: string } | { tried: string[] } {
  const base = path.resolve(path.dirname(fromFile), specifier)
  const candidates: string[] = []
  if (specifier.endsWith('/') || specifier === '.' || specifier === '..') {
    candidates.push(path.join(base, 'index.ts'))
  } else if (base.endsWith('.js')) {
    candidates.push(`${base.slice(0, -3)}.ts`, base)
  } else if (base.endsWith('.ts')) {
    candidates.push(base)
  } else {
    candidates.push(`${base}.ts`, base, path.join(base, 'index.ts'))
  }
  const resolved = candidates.find(isFile)
  return resolved === undefined ? { tried: candidates } : { resolved }
}

// ---------------------------------------------------------------------------------------
// Layers

/** The layer of a src/-relative path (its first folder), or undefined for a file at the top of src/. */
export function layerOf(srcRelativePath: string): string | undefined {
  const parts = srcRelativePath.split('/')
  return parts.length > 1 ? parts[0] : undefined
}

function hasPrefix(file: string, prefix: string): boolean {
  return file === prefix || file.startsWith(`${prefix}/`)
}

function describeEdge(edge: Edge): string {
  const at = edge.line === undefined ? '' : `:${edge.line}`
  const type = edge.typeOnly === true ? ' (type-only)' : ''
  return `src/${edge.from}${at} → src/${edge.to}${type}`
}

/**
 * Checks every edge (and every listed file) against the layer rules: unknown layers,
 * imports that go up or sideways in rank, `onlyImports` restrictions and forbidden prefix
 * pairs. Paths are relative to src/.
 */
export function checkLayers(
  edges: readonly Edge[],
  files: readonly string[] = [],
  rules: LayerRules = DEFAULT_RULES,
): Violation[] {
  const violations: Violation[] = []
  const reportedUnknown = new Set<string>()
  const isKnown = (file: string): boolean => {
    const layer = layerOf(file)
    if (layer !== undefined && Object.hasOwn(rules.ranks, layer)) return true
    const key = layer ?? file
    if (!reportedUnknown.has(key)) {
      reportedUnknown.add(key)
      violations.push({
        kind: 'unknown-layer',
        message: layer === undefined
          ? `src/${file} sits directly under src/ and so in no layer; move it into a layer folder`
          : `unknown layer '${layer}' (src/${file}), add it to the table in scripts/check-imports.ts`,
      })
    }
    return false
  }

  for (const file of files) isKnown(file)
  for (const edge of edges) {
    const fromKnown = isKnown(edge.from)
    const toKnown = isKnown(edge.to)
    // One message per edge: a forbidden pair is the most specific reason.
    const pair = rules.forbiddenPrefixPairs.find(
      ([fromPrefix, toPrefix]) => hasPrefix(edge.from, fromPrefix) && hasPrefix(edge.to, toPrefix),
    )
    if (pair !== undefined) {
      violations.push({
        kind: 'forbidden-pair',
        message: `${describeEdge(edge)}: ${pair[0]}/ must not import ${pair[1]}/`,
        edge,
      })
      continue
    }
    if (!fromKnown || !toKnown) continue
    const from = layerOf(edge.from)!
    const to = layerOf(edge.to)!
    if (from === to) continue
    const only = rules.onlyImports[from]
    if (only !== undefined && !only.includes(to)) {
      violations.push({
        kind: 'layer',
        message: `${describeEdge(edge)}: ${from} may import only ${only.join(', ')}, not ${to}`,
        edge,
      })
      continue
    }
    const fromRank = rules.ranks[from]!
    const toRank = rules.ranks[to]!
    if (fromRank > toRank) continue
    const why = fromRank === toRank ? 'same rank, different layer' : 'points up'
    violations.push({
      kind: 'layer',
      message: `${describeEdge(edge)}: ${from} (${fromRank}) must not import ${to} (${toRank}), ${why}`,
      edge,
    })
  }
  return violations
}

// ---------------------------------------------------------------------------------------
// Cycles

/** A graph as adjacency lists: file → files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>

/** Builds an adjacency map from edges; with `typeImports: false`, type-only edges are left out. */
export function buildGraph(edges: readonly Edge[], options: { typeImports?: boolean } = {}): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const edge of edges) {
    if (options.typeImports === false && edge.typeOnly === true) continue
    const targets = graph.get(edge.from) ?? []
    if (!targets.includes(edge.to)) targets.push(edge.to)
    graph.set(edge.from, targets)
    if (!graph.has(edge.to)) graph.set(edge.to, [])
  }
  return graph
}

/** Strongly connected components with more than one file, or one file that imports itself (Tarjan). */
export function findStronglyConnected(graph: ImportGraph): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []

  const visit = (node: string): void => {
    index.set(node, counter)
    low.set(node, counter)
    counter++
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    const selfLoop = (graph.get(node) ?? []).includes(node)
    if (component.length > 1 || selfLoop) components.push(component.sort())
  }

  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node)
  return components.sort((a, b) => a[0]!.localeCompare(b[0]!))
}

/** Shortest path from start back to start using only nodes of the component (BFS). */
function shortestCycleThrough(graph: ImportGraph, start: string, component: ReadonlySet<string>): string[] {
  const parent = new Map<string, string>()
  const queue = [start]
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q]!
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!component.has(next)) continue
      if (next === start) {
        const cycle = [node]
        while (cycle[0] !== start) cycle.unshift(parent.get(cycle[0]!)!)
        return cycle
      }
      if (!parent.has(next)) {
        parent.set(next, node)
        queue.push(next)
      }
    }
  }
  return [start]
}

/**
 * One concrete cycle per strongly connected component, as the files in import order
 * without repeating the first (format with formatCycle). Deterministic: each cycle starts
 * at the alphabetically first file of its component and is the shortest one through it.
 */
export function findCycles(graph: ImportGraph): string[][] {
  return findStronglyConnected(graph).map((component) =>
    shortestCycleThrough(graph, component[0]!, new Set(component)),
  )
}

/** 'a → b → c → a' */
export function formatCycle(cycle: readonly string[], prefix = ''): string {
  return [...cycle, cycle[0]!].map((file) => `${prefix}${file}`).join(' → ')
}

// ---------------------------------------------------------------------------------------
// Project scan

/** What checkProject found. Paths are relative to src/. */
export interface ImportReport {
  readonly files: readonly string[]
  readonly edges: readonly Edge[]
  readonly unresolved: readonly string[]
  readonly cycles: readonly string[][]
  /** Components larger than the cycle printed for them, so the reader knows there is more. */
  readonly components: readonly string[][]
  readonly violations: readonly Violation[]
}

/** Every *.ts file under dir, sorted, as absolute paths. */
export function listTypeScriptFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(full)
    }
  }
  walk(dir)
  return out.sort()
}

function isFileOnDisk(file: string): boolean {
  try {
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/** Reads srcDir, builds the import graph and runs both checks. */
export function checkProject(srcDir: string, options: { typeImportsInCycles?: boolean } = {}): ImportReport {
  const toSrc = (file: string): string => path.relative(srcDir, file).split(path.sep).join('/')
  const absoluteFiles = listTypeScriptFiles(srcDir)
  const merged = new Map<string, Edge>()
  const unresolved: string[] = []

  for (const file of absoluteFiles) {
    for (const ref of scanImports(readFileSync(file, 'utf8'))) {
      if (!isRelativeSpecifier(ref.specifier)) continue
      const result = resolveImport(file, ref.specifier, isFileOnDisk)
      let target: string
      if ('resolved' in result) {
        target = result.resolved
      } else {
        unresolved.push(`src/${toSrc(file)}:${ref.line} imports '${ref.specifier}', which is not a file`)
        // Still check its layer by the path it names.
        target = result.tried[0]!
      }
      const to = toSrc(target)
      // Imports that leave src/ (say ../../package.json) are outside the layer scheme.
      if (to.startsWith('../') || path.isAbsolute(to)) continue
      const from = toSrc(file)
      const key = `${from}\0${to}`
      const seen = merged.get(key)
      if (seen === undefined) {
        merged.set(key, { from, to, line: ref.line, typeOnly: ref.typeOnly })
      } else if (seen.typeOnly === true && !ref.typeOnly) {
        // A value import makes the edge real at runtime; report that one.
        merged.set(key, { from, to, line: ref.line, typeOnly: false })
      }
    }
  }

  const files = absoluteFiles.map(toSrc)
  const edges = [...merged.values()]
  const graph = buildGraph(edges, { typeImports: options.typeImportsInCycles ?? true })
  const components = findStronglyConnected(graph)
  const cycles = findCycles(graph)
  return {
    files,
    edges,
    unresolved,
    cycles,
    components: components.filter((component, k) => component.length > (cycles[k]?.length ?? 0)),
    violations: checkLayers(edges, files),
  }
}

/** Turns a report into printable lines and an exit code. */
export function formatReport(report: ImportReport): { ok: boolean; lines: string[] } {
  const { files, edges, unresolved, cycles, components, violations } = report
  const failures = unresolved.length + cycles.length + violations.length
  if (failures === 0) {
    const layers = new Set(files.map(layerOf)).size
    return {
      ok: true,
      lines: [`check-imports: OK (${files.length} files, ${edges.length} edges, ${layers} layers; no cycles, no layer violations)`],
    }
  }
  const lines = [`check-imports: FAILED (${files.length} files, ${edges.length} edges checked)`]
  if (cycles.length > 0) {
    lines.push('', `Import cycles (${cycles.length}):`)
    for (const cycle of cycles) lines.push(`  ${formatCycle(cycle, 'src/')}`)
    for (const component of components) {
      lines.push(`  (these files are all mutually reachable: ${component.map((f) => `src/${f}`).join(', ')})`)
    }
  }
  if (violations.length > 0) {
    lines.push('', `Layer violations (${violations.length}):`)
    for (const violation of violations) lines.push(`  ${violation.message}`)
    lines.push('  Ranks: ' + Object.entries(LAYER_RANKS).map(([layer, rank]) => `${layer} ${rank}`).join(', '))
  }
  if (unresolved.length > 0) {
    lines.push('', `Unresolved relative imports (${unresolved.length}):`)
    for (const entry of unresolved) lines.push(`  ${entry}`)
  }
  return { ok: false, lines }
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((arg) => arg !== '--ignore-type-cycles')
  if (unknown.length > 0) {
    process.stderr.write(`check-imports: unknown argument ${unknown.join(' ')}\nusage: check-imports [--ignore-type-cycles]\n`)
    return 2
  }
  const srcDir = fileURLToPath(new URL('../src', import.meta.url))
  const report = checkProject(srcDir, { typeImportsInCycles: !argv.includes('--ignore-type-cycles') })
  const { ok, lines } = formatReport(report)
  ;(ok ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`)
  return ok ? 0 : 1
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2))
}
