/**
 * @module bench/child-server
 * Starts a benchmark server (maas or the echo baseline) in its own Node process, so the load
 * generator never shares its event loop, and waits for the `{"port": …}` line it prints.
 * BENCH_CPU_PROF=<dir> runs the child under `--cpu-prof`; the profile is written on stop.
 * BENCH_SERVER_NODE_ARGS adds Node flags to every child (space-separated), for A/B runs.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export interface ChildServer {
  readonly port: number
  /** The child's process id, for its CPU time (bench/process-cpu.ts). */
  readonly pid: number
  stop(): Promise<void>
}

/** Spawns `bench/<script>` with `args`; resolves once it listens. */
export async function startChildServer(script: string, args: readonly string[] = []): Promise<ChildServer> {
  const scriptPath = fileURLToPath(new URL(script, import.meta.url))
  const profileDir = process.env.BENCH_CPU_PROF
  const extraArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  const nodeArgs = [...extraArgs, '--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])]
  const child = spawn(process.execPath, [...nodeArgs, scriptPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await readPort(child, script)
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    },
  }
}

async function readPort(child: ChildProcess, script: string): Promise<number> {
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${script} exited with code ${code} before listening`)
  })
  const listening = (async () => {
    for await (const line of lines) {
      const { port } = JSON.parse(line) as { port?: number }
      if (typeof port === 'number') return port
    }
    throw new Error(`${script} closed stdout without printing its port`)
  })()
  return Promise.race([listening, exited])
}
