/**
 * @module bench/training-pytorch
 * Runs bench/pytorch/train_fashion_mnist.py as a child process (after the in-process work, so
 * the two never share the CPU) with one thread (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1) and
 * reads its JSON lines. Absent Python or torch, the suite reports the PyTorch cells as n/a.
 */
import { spawn } from 'node:child_process'
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

/** Runs the PyTorch script; rejects with its stderr when it fails. */
export function runPytorch(options: PytorchOptions, onLine: (line: string) => void = () => {}): Promise<PytorchRun> {
  const args = [
    SCRIPT, '--json',
    '--models', options.models.join(','),
    '--batches', options.batches.join(','),
    '--epochs', String(options.epochs),
    '--samples', String(options.samples),
    '--cnn-epochs', String(options.cnnEpochs),
    '--cnn-samples', String(options.cnnSamples),
    '--mkldnn', options.mkldnn ? 'on' : 'off',
    ...(options.flushDenormal ? ['--flush-denormal'] : []),
  ]
  return new Promise((resolve, reject) => {
    const child = spawn(options.python, args, { env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      for (const line of chunk.split('\n')) if (line.trim()) onLine(line)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${options.python} ${path.basename(SCRIPT)} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`))
      const records = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { kind: string })
      const env = records.find((record) => record.kind === 'env') as unknown as PytorchEnv | undefined
      if (!env) return reject(new Error('the PyTorch script printed no environment line'))
      resolve({ env, results: records.filter((record) => record.kind === 'result') as unknown as PytorchResult[] })
    })
  })
}
