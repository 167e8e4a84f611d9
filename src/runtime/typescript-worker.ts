/**
 * @module runtime/typescript-worker
 * Starts a worker thread whose entry is a TypeScript module. The worker registers tsx's
 * loader itself before importing the entry: `--import tsx` in execArgv registers it too late
 * for a worker's main module on Node 20.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads'

export function startTypeScriptWorker(entry: URL, options: Omit<WorkerOptions, 'eval' | 'execArgv'> = {}): Worker {
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true, execArgv: [] })
}
