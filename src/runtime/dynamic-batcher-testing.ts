/**
 * @module runtime/dynamic-batcher-testing
 * Test doubles for the dynamic batcher's seams, shared by its test files: a manual Clock and
 * an identity InstanceExecutor that holds each batch until the test finishes or fails it.
 * Imported by tests only; the real ORT executors are tested with real models elsewhere.
 */
import assert from 'node:assert/strict'
import { MaasError, type ErrorCode } from '../core/errors.ts'
import type { Tensor } from '../core/tensor.ts'
import { DynamicBatcher, type DynamicBatcherOptions } from './dynamic-batcher.ts'
import type { ExecuteRequest } from './engine.ts'
import type { Clock, ExecutionTiming, InstanceExecutor, ScheduledRequest, ScheduledResult } from './scheduler.ts'

/** Manual time: timers fire only inside advance(), in due order, with now() set to their due time. */
export class ManualClock implements Clock {
  #now = 0
  #nextId = 1
  readonly #timers = new Map<number, { due: number; callback: () => void }>()
  now = () => this.#now
  setTimeout = (callback: () => void, milliseconds: number) => {
    const id = this.#nextId++
    this.#timers.set(id, { due: this.#now + milliseconds, callback })
    return id
  }
  clearTimeout = (handle: unknown) => void this.#timers.delete(handle as number)
  advance(milliseconds: number): void {
    const target = this.#now + milliseconds
    for (;;) {
      const next = [...this.#timers].filter(([, timer]) => timer.due <= target).sort(([a, x], [b, y]) => x.due - y.due || a - b)[0]
      if (next === undefined) break
      this.#timers.delete(next[0])
      this.#now = next[1].due
      next[1].callback()
    }
    this.#now = target
  }
}

export const TIMING: ExecutionTiming = { computeInputNs: 10, computeInferNs: 200, computeOutputNs: 30 }

/** An identity model instance that holds every call until the test finishes or fails it. */
export class ManualExecutor implements InstanceExecutor {
  constructor(readonly runsOffThread = false) {}
  readonly calls: { request: ExecuteRequest; finish: (outputs?: Tensor[]) => void; fail: (error: unknown) => void }[] = []
  running = 0
  maxRunning = 0
  closed = 0
  execute(request: ExecuteRequest): Promise<{ outputs: Tensor[]; timing: ExecutionTiming }> {
    this.maxRunning = Math.max(this.maxRunning, ++this.running)
    return new Promise((resolve, reject) => {
      const echo = () => request.outputs.map((name) => ({ ...request.inputs[0]!, name }))
      this.calls.push({
        request,
        finish: (outputs) => (this.running--, resolve({ outputs: outputs ?? echo(), timing: TIMING })),
        fail: (error) => (this.running--, reject(error)),
      })
    })
  }
  async close(): Promise<void> {
    this.closed++
  }
  /** Dimension 0 of each call's first input, in call order. */
  batchRows = () => this.calls.map((call) => call.request.inputs[0]!.shape[0])
  last = () => this.calls.at(-1)!
}

/** Lets settled executions run their continuations. */
export const flush = () => new Promise((resolve) => setImmediate(resolve))

/** A request of `rows` rows of `width` FP32 values each, starting at `first`. */
export function request(first: number, rows = 1, { width = 1, ...extra }: Partial<ScheduledRequest> & { width?: number } = {}): ScheduledRequest {
  const data = Float32Array.from({ length: rows * width }, (_, index) => first + index)
  return { inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [rows, width], data }], outputs: ['OUTPUT'], ...extra }
}

/** A batcher for model 'm' (maxBatchSize 8, batching on) over `instances` manual executors. */
export function setup(options: Partial<DynamicBatcherOptions> = {}, instances = 1) {
  const clock = new ManualClock()
  const executors = Array.from({ length: instances }, () => new ManualExecutor())
  const batcher = new DynamicBatcher({ modelName: 'm', maxBatchSize: 8, batching: true, ...options }, executors, clock)
  return { clock, executors, executor: executors[0]!, batcher }
}

/** The first output's values. */
export const values = (result: ScheduledResult) => [...(result.outputs[0]!.data as Float32Array)]

/** Asserts a promise rejects with a MaasError of `code` whose message matches. */
export const rejectsWith = (promise: Promise<unknown>, code: ErrorCode, message?: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MaasError, `expected a MaasError, got ${String(error)}`)
    assert.equal(error.code, code)
    if (message !== undefined) assert.match(error.message, message)
    return true
  })
