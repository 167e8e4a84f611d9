/**
 * @module bench/rss-suite
 * Does unloading release memory? Loads and unloads a model N times (BENCH_CYCLES, default
 * 1000) through the same ModelManager path the repository API uses, and prints the process
 * RSS every 100 cycles; a flat line means sessions and their buffers are released.
 * The model is bench's 784-128-10 MLP (≈400 KB of weights) with a worker-free main-thread
 * instance, plus a run with one worker-thread instance (BENCH_RSS_WORKER_CYCLES, default 100).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildMlp } from '../src/onnx/example-models.ts'
import { ModelManager } from '../src/runtime/model-manager.ts'
import { ModelRepository } from '../src/runtime/model-repository.ts'
import { OnnxEngine } from '../src/runtime/onnx-engine.ts'

const ENGINE = { intraOpThreads: 1, interOpThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' } as const

async function measure(cycles: number, thread: 'main' | 'worker'): Promise<string[]> {
  const root = mkdtempSync(path.join(tmpdir(), 'maas-rss-'))
  mkdirSync(path.join(root, 'mlp', '1'), { recursive: true })
  writeFileSync(path.join(root, 'mlp', '1', 'model.onnx'), buildMlp({ inputs: 784, hidden: [128], classes: 10 }))
  writeFileSync(path.join(root, 'mlp', 'config.json'), JSON.stringify({ max_batch_size: 64, instance_group: [{ count: 1, thread }] }))
  const manager = new ModelManager(new ModelRepository(root), new OnnxEngine(), ENGINE)
  const lines: string[] = []
  const mb = () => (process.memoryUsage().rss / 1024 / 1024).toFixed(1)
  try {
    for (let cycle = 1; cycle <= cycles; cycle++) {
      await manager.load('mlp')
      await manager.unload('mlp')
      if (cycle === 1 || cycle % Math.max(1, Math.floor(cycles / 10)) === 0) {
        global.gc?.()
        lines.push(`${thread.padEnd(6)} cycle ${String(cycle).padStart(5)}: RSS ${mb()} MB`)
        console.error(lines.at(-1))
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
  return lines
}

export async function runRssReport(): Promise<string> {
  const main = await measure(Number(process.env.BENCH_CYCLES ?? 1000), 'main')
  const worker = await measure(Number(process.env.BENCH_RSS_WORKER_CYCLES ?? 100), 'worker')
  return ['load/unload cycles of the 784-128-10 MLP; RSS after each tenth of the run', ...main, ...worker].join('\n')
}
