import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Tensor } from '../core/tensor.ts'
import { DynamicBatcher, type ExecutionInfo } from './dynamic-batcher.ts'
import { ManualClock, ManualExecutor, TIMING, flush, rejectsWith, request, setup, values } from './dynamic-batcher-testing.ts'

describe('DynamicBatcher: batch formation', () => {
  test('merges what queued while the instance was busy, up to maxBatchSize, in arrival order', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 4 })
    const results = [1, 2, 3, 4, 5, 6].map((first) => batcher.enqueue(request(first)))
    assert.deepEqual(executor.batchRows(), [1], 'the first request runs at once: delay 0 never waits')
    executor.last().finish()
    await flush()
    assert.deepEqual(executor.batchRows(), [1, 4])
    assert.deepEqual([...(executor.last().request.inputs[0]!.data as Float32Array)], [2, 3, 4, 5])
    executor.last().finish()
    await flush()
    executor.last().finish()
    const settled = await Promise.all(results)
    assert.deepEqual(settled.map(values), [[1], [2], [3], [4], [5], [6]])
    assert.deepEqual(settled.map((result) => result.batchSize), [1, 4, 4, 4, 4, 1])
  })

  test('an off-thread instance starts the next batch as soon as it returns; a main-thread one after the due I/O', async () => {
    for (const offThread of [true, false]) {
      const deferred: (() => void)[] = []
      const clock = Object.assign(new ManualClock(), { setImmediate: (callback: () => void) => void deferred.push(callback) })
      const executor = new ManualExecutor(offThread)
      const batcher = new DynamicBatcher({ modelName: 'm', maxBatchSize: 4, batching: true }, [executor], clock)
      const runDeferred = () => deferred.splice(0).forEach((callback) => callback())
      const results = [1, 2, 3, 4].map((value) => batcher.enqueue(request(value)))
      runDeferred()
      assert.deepEqual(executor.batchRows(), [4])
      const later = [5, 6].map((value) => batcher.enqueue(request(value)))
      executor.last().finish()
      await Promise.resolve()
      await Promise.resolve()
      assert.deepEqual(executor.batchRows(), offThread ? [4, 2] : [4], offThread ? 'dispatched without waiting for a loop turn' : 'waits for the loop turn')
      runDeferred()
      assert.deepEqual(executor.batchRows(), [4, 2])
      executor.last().finish()
      assert.deepEqual((await Promise.all([...results, ...later])).map(values), [[1], [2], [3], [4], [5], [6]])
    }
  })

  test('each request gets exactly its own rows of every output, in output order', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 8 })
    const blocker = batcher.enqueue(request(0))
    const multi = { outputs: ['OUTPUT', 'SECOND'], width: 2 }
    const results = [batcher.enqueue(request(10, 1, multi)), batcher.enqueue(request(20, 3, multi)), batcher.enqueue(request(30, 2, multi))]
    executor.calls[0]!.finish()
    await flush()
    assert.deepEqual(executor.last().request.inputs[0]!.shape, [6, 2])
    executor.last().finish()
    const settled = await Promise.all(results)
    assert.deepEqual(settled.map((result) => result.outputs.map((output) => [output.name, ...output.shape])), [
      [['OUTPUT', 1, 2], ['SECOND', 1, 2]],
      [['OUTPUT', 3, 2], ['SECOND', 3, 2]],
      [['OUTPUT', 2, 2], ['SECOND', 2, 2]],
    ])
    assert.deepEqual(settled.map(values), [[10, 11], [20, 21, 22, 23, 24, 25], [30, 31, 32, 33]])
    assert.deepEqual([...(settled[1]!.outputs[1]!.data as Float32Array)], [20, 21, 22, 23, 24, 25])
    await blocker
  })

  test('passes over requests whose shapes after dimension 0 differ, without reordering them', async () => {
    const { executor, batcher } = setup()
    const results = [batcher.enqueue(request(0)), batcher.enqueue(request(1)), batcher.enqueue(request(2, 1, { width: 2 })), batcher.enqueue(request(4))]
    executor.last().finish()
    await flush()
    assert.deepEqual([...(executor.last().request.inputs[0]!.data as Float32Array)], [1, 4], 'the [1, 2] request is skipped')
    executor.last().finish()
    await flush()
    assert.deepEqual(executor.last().request.inputs[0]!.shape, [1, 2], 'and heads the next batch')
    executor.last().finish()
    assert.deepEqual((await Promise.all(results)).map(values), [[0], [1], [2, 3], [4]])
  })

  test('does not merge requests that ask for different outputs or the same outputs in another order', async () => {
    const { executor, batcher } = setup()
    const blocker = batcher.enqueue(request(0))
    const a = batcher.enqueue(request(1, 1, { outputs: ['A', 'B'] }))
    const b = batcher.enqueue(request(2, 1, { outputs: ['B', 'A'] }))
    const c = batcher.enqueue(request(3, 1, { outputs: ['A'] }))
    const d = batcher.enqueue(request(4, 1, { outputs: ['A', 'B'] }))
    for (let round = 0; round < 4; round++) {
      executor.last().finish()
      await flush()
    }
    assert.deepEqual(executor.calls.map((call) => [call.request.outputs.join(), call.request.inputs[0]!.shape[0]]), [
      ['OUTPUT', 1], ['A,B', 2], ['B,A', 1], ['A', 1],
    ])
    assert.deepEqual((await Promise.all([a, b, c, d])).map((result) => result.outputs.map((output) => output.name).join()), ['A,B', 'B,A', 'A', 'A,B'])
    await blocker
  })

  test('a lone request reaches the executor with its own tensors, uncopied', async () => {
    const { executor, batcher } = setup()
    const only = request(7)
    const result = batcher.enqueue(only)
    assert.equal(executor.last().request.inputs[0], only.inputs[0])
    const output: Tensor = { name: 'OUTPUT', datatype: 'FP32', shape: [1, 1], data: new Float32Array([7]) }
    executor.last().finish([output])
    assert.equal((await result).outputs[0], output)
  })
})

describe('DynamicBatcher: queue delay and preferred sizes', () => {
  test('waits up to maxQueueDelay for a fuller batch, then runs what is queued', async () => {
    const { clock, executor, batcher } = setup({ maxQueueDelayMicros: 10_000 })
    const results = [batcher.enqueue(request(1)), batcher.enqueue(request(2))]
    clock.advance(4)
    results.push(batcher.enqueue(request(3)))
    clock.advance(5.9)
    assert.equal(executor.calls.length, 0, 'nothing runs before the oldest request waited 10 ms')
    clock.advance(0.1)
    assert.deepEqual(executor.batchRows(), [3])
    executor.last().finish()
    const settled = await Promise.all(results)
    assert.deepEqual(settled.map((result) => result.timing), [
      { queueNs: 10e6, ...TIMING },
      { queueNs: 10e6, ...TIMING },
      { queueNs: 6e6, ...TIMING },
    ])
  })

  test('a full batch does not wait for the delay', () => {
    const { executor, batcher } = setup({ maxBatchSize: 2, maxQueueDelayMicros: 1_000_000 })
    void batcher.enqueue(request(1))
    assert.equal(executor.calls.length, 0)
    void batcher.enqueue(request(2))
    assert.deepEqual(executor.batchRows(), [2])
  })

  test('dispatches as soon as a preferred size is reached, leaving the rest to wait', async () => {
    const { clock, executor, batcher } = setup({ maxQueueDelayMicros: 100_000, preferredBatchSizes: [2, 4] })
    void batcher.enqueue(request(1))
    assert.equal(executor.calls.length, 0)
    void batcher.enqueue(request(2))
    assert.deepEqual(executor.batchRows(), [2], 'preferred size 2 is dispatched without waiting')
    for (const first of [3, 4, 5, 6, 7]) void batcher.enqueue(request(first))
    executor.last().finish()
    await flush()
    assert.deepEqual(executor.batchRows(), [2, 4], 'of 5 queued rows, the largest preferred size (4) goes at once')
    executor.last().finish()
    await flush()
    assert.equal(executor.calls.length, 2, 'the fifth request waits for the delay')
    clock.advance(100)
    assert.deepEqual(executor.batchRows(), [2, 4, 1])
  })
})

describe('DynamicBatcher: models and configs that do not batch', () => {
  test('maxBatchSize 0 runs every request alone, FIFO, and reports batch size 1', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 0, maxQueueDelayMicros: 50_000 })
    const results = [batcher.enqueue(request(1, 3)), batcher.enqueue(request(4, 3)), batcher.enqueue(request(7, 3))]
    for (let round = 0; round < 3; round++) {
      executor.last().finish()
      await flush()
    }
    assert.deepEqual(executor.batchRows(), [3, 3, 3])
    const settled = await Promise.all(results)
    assert.deepEqual(settled.map(values), [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert.deepEqual(settled.map((result) => result.batchSize), [1, 1, 1])
  })

  test('batching off runs every request alone even when maxBatchSize > 0, reporting its dimension 0', async () => {
    const { executor, batcher } = setup({ batching: false })
    const results = [batcher.enqueue(request(1, 2)), batcher.enqueue(request(3, 2))]
    executor.last().finish()
    await flush()
    executor.last().finish()
    assert.deepEqual(executor.batchRows(), [2, 2])
    assert.deepEqual((await Promise.all(results)).map((result) => result.batchSize), [2, 2])
  })

  test('refuses a request larger than maxBatchSize with INVALID_ARGUMENT', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 2 })
    await rejectsWith(batcher.enqueue(request(0, 3)), 'INVALID_ARGUMENT', /batch size 3 exceeds max_batch_size 2 of model 'm'/)
    assert.equal(executor.calls.length, 0)
    assert.equal(batcher.inflight(), 0)
  })
})

describe('DynamicBatcher: execution results', () => {
  test('an output whose dimension 0 is not the batch size fails every request of the batch with INTERNAL', async () => {
    const { executor, batcher } = setup()
    const blocker = batcher.enqueue(request(0))
    const results = [batcher.enqueue(request(1)), batcher.enqueue(request(2))]
    executor.last().finish()
    await flush()
    executor.last().finish([{ name: 'OUTPUT', datatype: 'FP32', shape: [1], data: new Float32Array([0]) }])
    for (const result of results) await rejectsWith(result, 'INTERNAL', /output 'OUTPUT' of model 'm' is not batched: its dimension 0 is 1, not the batch size 2/)
    await blocker
    assert.equal(batcher.inflight(), 0)
  })

  test('reports each successful execution once to onExecution with its batch size and timing', async () => {
    const executions: ExecutionInfo[] = []
    const { executor, batcher } = setup({ onExecution: (info) => executions.push(info) })
    const blocker = batcher.enqueue(request(0))
    const results = [batcher.enqueue(request(1, 2)), batcher.enqueue(request(3, 3))]
    executor.last().finish()
    await flush()
    executor.last().finish()
    await Promise.all([blocker, ...results])
    const failing = batcher.enqueue(request(9))
    executor.last().fail(new Error('boom'))
    await assert.rejects(failing)
    assert.deepEqual(executions, [
      { batchSize: 1, requestCount: 1, timing: TIMING },
      { batchSize: 5, requestCount: 2, timing: TIMING },
    ])
  })

  test('an output that a lone request gets back is passed through even when not batched', async () => {
    const { executor, batcher } = setup()
    const result = batcher.enqueue(request(0, 2))
    const scalar: Tensor = { name: 'OUTPUT', datatype: 'FP32', shape: [], data: new Float32Array([1]) }
    executor.last().finish([scalar])
    assert.equal((await result).outputs[0], scalar)
  })
})
