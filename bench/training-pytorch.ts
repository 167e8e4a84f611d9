/**
 * @module bench/training-pytorch
 * Runs bench/pytorch/train_fashion_mnist.py as a child process (after the in-process work, so
 * the two never share the CPU) with one thread (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1) and
 * reads its JSON lines. Absent Python or torch, the suite reports the PyTorch cells as n/a.
 *
 * OpenBLAS picks its kernels by CPU model, and Debian's 0.3.21 does not know every recent
 * one: on an Intel Xeon of model 207 (Emerald Rapids) it fell back to kernels that multiply
 * 1024² matrices at 17 GFLOP/s, against 90+ with its SkylakeX (AVX-512) kernels, which would
 * flatter maas several-fold. So the suite first probes the GEMM rate with OpenBLAS' own
 * choice and with each of OPENBLAS_CORETYPES and runs PyTorch with the fastest (an
 * OPENBLAS_CORETYPE set by the caller is kept as is).
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pytorch', 'train_fashion_mnist.py')

export interface PytorchEnv {
  readonly torch: string
  readonly threads: number
  readonly mkldnn: boolean
  /** torch.set_flush_denormal(True), as maas sets in ORT. */
  readonly flushDenormal?: boolean
  readonly blas: readonly string[]
  readonly gemm_1024_gflops: number
  /** OPENBLAS_CORETYPE the run used (null: OpenBLAS' own choice). */
  readonly openblas_coretype?: string | null
}

export interface PytorchResult {
  readonly model: 'mlp' | 'cnn'
  readonly batch: number
  readonly epochs: number
  readonly samples: number
  readonly samples_per_second: number
  readonly cpu_samples_per_second: number
  readonly test_accuracy: number
}

export interface PytorchRun {
  readonly env: PytorchEnv
  readonly results: readonly PytorchResult[]
}

export interface PytorchOptions {
  readonly python: string
  readonly models: readonly string[]
  readonly batches: readonly number[]
  readonly epochs: number
  readonly samples: number
  readonly cnnEpochs: number
  readonly cnnSamples: number
  readonly mkldnn: boolean
  /** torch.set_flush_denormal(True), as maas sets in ORT. */
  readonly flushDenormal?: boolean
}

/**
 * OpenBLAS kernel families probed besides OpenBLAS' own choice, with the CPU flag each needs:
 * OpenBLAS does not check a forced core type, and its kernels die of an illegal instruction
 * on a CPU without that flag.
 */
export const OPENBLAS_CORETYPES = [
  { coreType: 'SkylakeX', flag: 'avx512f' },
  { coreType: 'Haswell', flag: 'avx2' },
] as const

function cpuFlags(): ReadonlySet<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((text) => text.startsWith('flags'))
    return new Set(line?.split(':')[1]?.trim().split(/\s+/) ?? [])
  } catch {
    return new Set()
  }
}

let fastestCoreType: Promise<string | undefined> | undefined

/**
 * The OPENBLAS_CORETYPE with the highest 1024³ GEMM rate (undefined: OpenBLAS' own choice
 * is the fastest), probed once per process; a caller's OPENBLAS_CORETYPE wins.
 */
export function fastestOpenblasCoreType(python: string, onLine: (line: string) => void = () => {}): Promise<string | undefined> {
  if (process.env.OPENBLAS_CORETYPE) return Promise.resolve(process.env.OPENBLAS_CORETYPE)
  fastestCoreType ??= (async () => {
    const flags = cpuFlags()
    const candidates = [undefined, ...OPENBLAS_CORETYPES.filter(({ flag }) => flags.has(flag)).map(({ coreType }) => coreType)]
    let best: { coreType: string | undefined; gflops: number } | undefined
    for (const coreType of candidates) {
      // A probe that fails (no torch, a crash) counts as 0: the run falls back to OpenBLAS' own choice.
      const records = await runScript(python, ['--gemm-only'], coreType).catch((error: Error) => {
        onLine(`OpenBLAS ${coreType ?? 'auto-detected kernels'}: probe failed (${error.message})`)
        return []
      })
      const gflops = (records.find((record) => record.kind === 'env') as unknown as PytorchEnv | undefined)?.gemm_1024_gflops ?? 0
      onLine(`OpenBLAS ${coreType ?? 'auto-detected kernels'}: 1024³ GEMM ${gflops} GFLOP/s`)
      if (!best || gflops > best.gflops) best = { coreType, gflops }
    }
    return best?.coreType
  })()
  return fastestCoreType
}

/** Runs the PyTorch script with one thread and `args`; resolves its JSON lines, rejects with its stderr when it fails. */
function runScript(python: string, args: readonly string[], coreType: string | undefined, onLine: (line: string) => void = () => {}): Promise<{ kind: string }[]> {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', ...(coreType ? { OPENBLAS_CORETYPE: coreType } : {}) }
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, '--json', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      for (const line of chunk.split('\n')) if (line.trim()) onLine(line)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${python} ${path.basename(SCRIPT)} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`))
      resolve(stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { kind: string }))
    })
  })
}

/** Runs the PyTorch script with the fastest OpenBLAS kernels; rejects with its stderr when it fails. */
export async function runPytorch(options: PytorchOptions, onLine: (line: string) => void = () => {}): Promise<PytorchRun> {
  const args = [
    '--models', options.models.join(','),
    '--batches', options.batches.join(','),
    '--epochs', String(options.epochs),
    '--samples', String(options.samples),
    '--cnn-epochs', String(options.cnnEpochs),
    '--cnn-samples', String(options.cnnSamples),
    '--mkldnn', options.mkldnn ? 'on' : 'off',
    ...(options.flushDenormal ? ['--flush-denormal'] : []),
  ]
  const records = await runScript(options.python, args, await fastestOpenblasCoreType(options.python, onLine), onLine)
  const env = records.find((record) => record.kind === 'env') as unknown as PytorchEnv | undefined
  if (!env) throw new Error('the PyTorch script printed no environment line')
  return { env, results: records.filter((record) => record.kind === 'result') as unknown as PytorchResult[] }
}
