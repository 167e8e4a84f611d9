/**
 * @module runtime/onnx-worker
 * Worker-thread entry of a model instance: loads its own ORT session and runs one request at
 * a time for the WorkerExecutor on the main thread, so heavy models do not block HTTP/gRPC.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { toMaasError } from '../core/errors.ts'
import type { EngineOptions, ExecuteRequest } from './engine.ts'
import { OnnxEngine } from './onnx-engine.ts'

/** Messages from the main thread. */
export type WorkerRequest = { type: 'execute'; id: number; request: ExecuteRequest } | { type: 'close' }

/** Messages to the main thread. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; code: string; message: string }
  | { type: 'closed' }

const { path, options } = workerData as { path: string; options: EngineOptions }
const port = parentPort!

try {
  const model = await new OnnxEngine().load(path, options)
  port.on('message', async (message: WorkerRequest) => {
    if (message.type === 'close') {
      await model.unload()
      port.postMessage({ type: 'closed' } satisfies WorkerReply)
      port.close()
      return
    }
    try {
      const result = await model.execute(message.request)
      port.postMessage({ type: 'result', id: message.id, result } satisfies WorkerReply)
    } catch (error) {
      const maasError = toMaasError(error)
      port.postMessage({ type: 'error', id: message.id, code: maasError.code, message: maasError.message } satisfies WorkerReply)
    }
  })
  port.postMessage({ type: 'ready' } satisfies WorkerReply)
} catch (error) {
  port.postMessage({ type: 'load-failed', message: (error as Error).message } satisfies WorkerReply)
}
