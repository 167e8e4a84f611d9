import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DynamicBatcher } from './dynamic-batcher.ts'
import { flush, ManualExecutor, rejectsWith, request, setup, values } from './dynamic-batcher-testing.ts'

describe('DynamicBatcher: queue policy', () => {
  test('a full queue refuses at once with RESOURCE_EXHAUSTED; executing requests do not count', async () => {
    const { executor, batcher } = setup({ maxQueueSize: 2, batching: false })
    const running = batcher.enqueue(request(0))
    const queued = [batcher.enqueue(request(1)), batcher.enqueue(request(2))]
    await rejectsWith(batcher.enqueue(request(3)), 'RESOURCE_EXHAUSTED', /the queue of model 'm' is full \(2\)/)
    assert.equal(batcher.inflight(), 3)
    for (let round = 0; round < 3; round++) {
      executor.last().finish()
      await flush()
    }
    assert.deepEqual((await Promise.all([running, ...queued])).map(values), [[0], [1], [2]])
  })

  test('a request queued longer than its timeout is rejected with DEADLINE_EXCEEDED', async () => {
    const { clock, executor, batcher } = setup({ defaultTimeoutMicros: 5_000 })
    const running = batcher.enqueue(request(0))
    const late = batcher.enqueue(request(1))
    clock.advance(4.9)
    assert.equal(batcher.inflight(), 2)
    clock.advance(0.1)
    await rejectsWith(late, 'DEADLINE_EXCEEDED', /timed out after 5000 µs in the queue of model 'm'/)
    assert.equal(batcher.inflight(), 1)
    executor.last().finish()
    await running
    assert.equal(executor.calls.length, 1, 'the timed-out request never runs')
  })

  test('a timeout past what setTimeout keeps (~24.8 days) never fires early on the system clock', async () => {
    const executor = new ManualExecutor()
    const batcher = new DynamicBatcher({ modelName: 'm', maxBatchSize: 8, batching: true }, [executor])
    const running = batcher.enqueue(request(0))
    const patient = batcher.enqueue(request(1, 1, { timeoutMicros: 3e15 })) // 3e12 ms: Node would fire it after 1 ms
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(batcher.inflight(), 2, 'the far-away timeout left the request queued')
    executor.last().finish()
    await flush()
    executor.last().finish()
    assert.deepEqual((await Promise.all([running, patient])).map(values), [[0], [1]])
  })

  test('a request may override the default timeout only when the config allows it', async () => {
    const allowed = setup({ defaultTimeoutMicros: 5_000 })
    void allowed.batcher.enqueue(request(0))
    const patient = allowed.batcher.enqueue(request(1, 1, { timeoutMicros: 20_000 }))
    const unbounded = allowed.batcher.enqueue(request(2, 1, { timeoutMicros: 0 }))
    allowed.clock.advance(10)
    allowed.executor.last().finish()
    await flush()
    allowed.executor.last().finish()
    assert.deepEqual((await Promise.all([patient, unbounded])).map(values), [[1], [2]])

    const refused = setup({ defaultTimeoutMicros: 5_000, allowTimeoutOverride: false })
    void refused.batcher.enqueue(request(0))
    const ignored = refused.batcher.enqueue(request(1, 1, { timeoutMicros: 20_000 }))
    refused.clock.advance(5)
    await rejectsWith(ignored, 'DEADLINE_EXCEEDED')
  })

  test('with timeout action DELAY a timed-out request is kept but runs after those that did not time out', async () => {
    const { clock, executor, batcher } = setup({ defaultTimeoutMicros: 5_000, timeoutAction: 'DELAY', batching: false })
    const results = [batcher.enqueue(request(0)), batcher.enqueue(request(1))]
    clock.advance(6)
    results.push(batcher.enqueue(request(2)))
    for (let round = 0; round < 3; round++) {
      executor.last().finish()
      await flush()
    }
    assert.deepEqual(executor.calls.map((call) => (call.request.inputs[0]!.data as Float32Array)[0]), [0, 2, 1])
    assert.deepEqual((await Promise.all(results)).map(values), [[0], [1], [2]])
  })

  test('aborting a queued request removes it and rejects it with CANCELLED', async () => {
    const { executor, batcher } = setup()
    const running = batcher.enqueue(request(0))
    const controller = new AbortController()
    const cancelled = batcher.enqueue(request(1), controller.signal)
    const kept = batcher.enqueue(request(2))
    controller.abort()
    await rejectsWith(cancelled, 'CANCELLED', /request to model 'm' was cancelled while queued/)
    assert.equal(batcher.inflight(), 2)
    executor.last().finish()
    await flush()
    assert.deepEqual([...(executor.last().request.inputs[0]!.data as Float32Array)], [2])
    executor.last().finish()
    await Promise.all([running, kept])
  })

  test('an already aborted signal is refused at once; aborting after dispatch lets the request finish', async () => {
    const { executor, batcher } = setup()
    await rejectsWith(batcher.enqueue(request(0), AbortSignal.abort()), 'CANCELLED')
    const controller = new AbortController()
    const dispatched = batcher.enqueue(request(1), controller.signal)
    controller.abort()
    executor.last().finish()
    assert.deepEqual(values(await dispatched), [1])
  })

  test('serves the highest-priority non-empty level first; invalid or absent priorities get the default', async () => {
    const { executor, batcher } = setup({ priorityLevels: 3, defaultPriorityLevel: 2, batching: false })
    const results = [
      batcher.enqueue(request(0)),
      batcher.enqueue(request(1, 1, { priority: 3 })),
      batcher.enqueue(request(2)),
      batcher.enqueue(request(3, 1, { priority: 1 })),
      batcher.enqueue(request(4, 1, { priority: 9 })),
      batcher.enqueue(request(5, 1, { priority: 1 })),
    ]
    for (let round = 0; round < 6; round++) {
      executor.last().finish()
      await flush()
    }
    assert.deepEqual(executor.calls.map((call) => (call.request.inputs[0]!.data as Float32Array)[0]), [0, 3, 5, 2, 4, 1])
    await Promise.all(results)
  })

  test('a batch is formed from the highest-priority level only', async () => {
    const { executor, batcher } = setup({ priorityLevels: 2, defaultPriorityLevel: 2 })
    const results = [0, 1, 2].map((first) => batcher.enqueue(request(first)))
    results.push(batcher.enqueue(request(3, 1, { priority: 1 })), batcher.enqueue(request(4, 1, { priority: 1 })))
    executor.last().finish()
    await flush()
    assert.deepEqual([...(executor.last().request.inputs[0]!.data as Float32Array)], [3, 4, 1, 2])
    executor.last().finish()
    assert.deepEqual((await Promise.all(results)).map(values), [[0], [1], [2], [3], [4]])
  })
})

describe('DynamicBatcher: instances, failures and stop', () => {
  test('runs batches on several instances in parallel, never two at once on one instance', async () => {
    const { executors, batcher } = setup({ batching: false }, 2)
    const results = [0, 1, 2, 3, 4].map((first) => batcher.enqueue(request(first)))
    assert.deepEqual(executors.map((executor) => executor.calls.length), [1, 1])
    assert.equal(batcher.inflight(), 5)
    executors[1]!.last().finish()
    await flush()
    assert.deepEqual(executors.map((executor) => executor.calls.length), [1, 2])
    for (let round = 0; round < 3; round++) {
      for (const executor of executors) if (executor.running > 0) executor.last().finish()
      await flush()
    }
    assert.deepEqual((await Promise.all(results)).map(values), [[0], [1], [2], [3], [4]])
    assert.deepEqual(executors.map((executor) => executor.maxRunning), [1, 1])
  })

  test('an executor error rejects every request of that batch with the same error', async () => {
    const { executor, batcher } = setup()
    const running = batcher.enqueue(request(0))
    const batch = [batcher.enqueue(request(1)), batcher.enqueue(request(2)), batcher.enqueue(request(3))]
    executor.last().finish()
    await flush()
    const failure = new Error('session exploded')
    executor.last().fail(failure)
    for (const result of batch) await assert.rejects(result, (error) => error === failure)
    await running
    assert.equal(batcher.inflight(), 0)
    const next = batcher.enqueue(request(4))
    executor.last().finish()
    assert.deepEqual(values(await next), [4], 'the instance serves again after a failure')
  })

  test('stop() refuses new requests, drains queued and executing ones at once, and leaves executors open', async () => {
    const { clock, executor, batcher } = setup({ maxQueueDelayMicros: 1_000_000, maxBatchSize: 2 })
    const results = [batcher.enqueue(request(0)), batcher.enqueue(request(1)), batcher.enqueue(request(2))]
    assert.deepEqual(executor.batchRows(), [2])
    let stopped = false
    const stopping = batcher.stop().then(() => (stopped = true))
    assert.equal(batcher.stop(), batcher.stop(), 'stop() is idempotent')
    await rejectsWith(batcher.enqueue(request(3)), 'UNAVAILABLE', /model 'm' is unloading/)
    executor.last().finish()
    await flush()
    assert.deepEqual(executor.batchRows(), [2, 1], 'the queued request runs without waiting for the delay')
    assert.equal(stopped, false)
    executor.last().finish()
    await stopping
    assert.equal(batcher.inflight(), 0)
    assert.deepEqual((await Promise.all(results)).map(values), [[0], [1], [2]])
    assert.equal(executor.closed, 0)
    clock.advance(2_000)
    assert.equal(executor.calls.length, 2)
  })

  test('stop() on an idle batcher resolves at once, and after requests that time out in the queue', async () => {
    await setup().batcher.stop()
    const { clock, executor, batcher } = setup({ defaultTimeoutMicros: 1_000 })
    void batcher.enqueue(request(0))
    const late = batcher.enqueue(request(1, 1, { width: 2 }))
    clock.advance(1)
    await rejectsWith(late, 'DEADLINE_EXCEEDED')
    const stopping = batcher.stop()
    executor.last().finish()
    await stopping
  })
})
