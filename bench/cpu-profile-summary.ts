/**
 * @module bench/cpu-profile-summary
 * Prints the hottest functions of a `.cpuprofile` (as written by BENCH_CPU_PROF) by self
 * time, self time grouped by source file, and inclusive time of the project's own functions
 * (src/, bench/), so the cost of one step of the request path can be read off:
 *   node --import tsx bench/cpu-profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const [file, topArg] = process.argv.slice(2)
if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [top]')
const top = Number(topArg ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const selfMicros = new Map<number, number>()
profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)))
const total = [...selfMicros.values()].reduce((sum, micros) => sum + micros, 0)

const shortUrl = (url: string): string => url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/').replace(/^node:/, 'node:')
const byFunction = new Map<string, number>()
const byFile = new Map<string, number>()
for (const [id, micros] of selfMicros) {
  const frame = byId.get(id)!.callFrame
  const where = shortUrl(frame.url) || '(native/vm)'
  const name = `${frame.functionName || '(anonymous)'}  ${where}:${frame.lineNumber + 1}`
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros)
  byFile.set(where, (byFile.get(where) ?? 0) + micros)
}
const print = (title: string, entries: Map<string, number>): void => {
  console.log(`\n${title} (total ${(total / 1e6).toFixed(2)} s sampled)`)
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`)
  }
}
print('self time by function', byFunction)
print('self time by file', byFile)

// Inclusive time: a node's self time plus its subtree's, counted once per function name on a path.
const parentOf = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id)
const inclusive = new Map<string, number>()
for (const [id, micros] of selfMicros) {
  const seen = new Set<string>()
  for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
    const frame = byId.get(current)!.callFrame
    if (!/\/(src|bench)\//.test(frame.url)) continue
    const name = `${frame.functionName || '(anonymous)'}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
    if (seen.has(name)) continue
    seen.add(name)
    inclusive.set(name, (inclusive.get(name) ?? 0) + micros)
  }
}
print('inclusive time of src/ and bench/ functions', inclusive)
