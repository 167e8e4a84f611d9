/**
 * @module runtime/worker-executor
 * A model instance in a worker thread with its own ORT session (Triton's instance_group on
 * CPU). `session.run` blocks the thread it runs on; here that is the worker, so the event
 * loop that serves HTTP and gRPC stays free. Tensors cross the thread boundary by
 * structured clone (a copy).
 */
import type { Worker } from 'node:worker_threads'
import { InvalidArgumentError, MaasError, type ErrorCode } from '../core/errors.ts'
import type { EngineOptions, ExecuteRequest, ExecutionResult } from './engine.ts'
import type { WorkerReply, WorkerRequest } from './onnx-worker.ts'
import type { InstanceExecutor } from './scheduler.ts'
import { startTypeScriptWorker } from './typescript-worker.ts'

const WORKER_ENTRY = new URL('./onnx-worker.ts', import.meta.url)

interface Pending {
  resolve(result: ExecutionResult): void
  reject(error: Error): void
}

export class WorkerExecutor implements InstanceExecutor {
  readonly runsOffThread = true
  readonly #worker: Worker
  readonly #pending = new Map<number, Pending>()
  #nextId = 0
  #exited: Promise<void>
  #dead: Error | undefined

  private constructor(worker: Worker) {
    this.#worker = worker
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()))
    worker.on('message', (message: WorkerReply) => this.#onMessage(message))
    worker.on('error', (error) => this.#fail(new MaasError('INTERNAL', 'a model worker thread failed', { cause: error })))
    worker.once('exit', (code) => this.#fail(new MaasError('UNAVAILABLE', `the model worker thread exited (code ${code})`)))
  }

  /** Starts a worker and resolves once its session is loaded. */
  static start(path: string, options: EngineOptions): Promise<WorkerExecutor> {
    const worker = startTypeScriptWorker(WORKER_ENTRY, { workerData: { path, options } })
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerReply) => {
        worker.off('error', onError)
        if (message.type === 'ready') resolve(new WorkerExecutor(worker))
        else {
          void worker.terminate()
          reject(new InvalidArgumentError(message.type === 'load-failed' ? message.message : 'the model worker did not start'))
        }
      }
      const onError = (error: Error) => {
        worker.off('message', onMessage)
        reject(new MaasError('INTERNAL', 'a model worker thread failed to start', { cause: error }))
      }
      worker.once('message', onMessage)
      worker.once('error', onError)
    })
  }

  execute(request: ExecuteRequest): Promise<ExecutionResult> {
    if (this.#dead) return Promise.reject(this.#dead)
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#worker.postMessage({ type: 'execute', id, request } satisfies WorkerRequest)
    })
  }

  async close(): Promise<void> {
    if (!this.#dead) this.#worker.postMessage({ type: 'close' } satisfies WorkerRequest)
    const timeout = setTimeout(() => void this.#worker.terminate(), 5_000)
    await this.#exited
    clearTimeout(timeout)
  }

  #onMessage(message: WorkerReply): void {
    if (message.type === 'closed') {
      void this.#worker.terminate()
      return
    }
    if (message.type !== 'result' && message.type !== 'error') return
    const pending = this.#pending.get(message.id)
    if (!pending) return
    this.#pending.delete(message.id)
    if (message.type === 'result') pending.resolve(message.result as ExecutionResult)
    else pending.reject(new MaasError(message.code as ErrorCode, message.message))
  }

  #fail(error: Error): void {
    this.#dead ??= error
    for (const pending of this.#pending.values()) pending.reject(error)
    this.#pending.clear()
  }
}
