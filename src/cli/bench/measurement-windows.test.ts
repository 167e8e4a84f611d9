import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { measureWindows, mergeWindows } from './measurement-windows.ts'

test('runs a warm-up then windows until isDone, with a boundary before each window and after the last', async () => {
  const boundaries: number[] = []
  let inflight = 0
  let maxInflight = 0
  const result = await measureWindows(
    async () => {
      maxInflight = Math.max(maxInflight, ++inflight)
      await sleep(2)
      inflight--
    },
    { concurrency: 3, intervalMs: 60, maxWindows: 10, isDone: (windows) => windows.length === 2, onBoundary: (index) => boundaries.push(index) },
  )
  assert.equal(result.done, true)
  assert.equal(result.windows.length, 2)
  assert.deepEqual(boundaries, [0, 1, 2])
  assert.equal(maxInflight, 3)
  assert.equal(inflight, 0, 'workers are drained before it returns')
  for (const window of result.windows) {
    assert.ok(window.requests > 10 && window.errors === 0)
    assert.ok(window.durationMs >= 55)
    assert.ok(window.p50 >= 1.5 && window.p99 >= window.p50)
  }
})

test('stops at maxWindows when never done, and counts failures (warm-up included) with the first message', async () => {
  let calls = 0
  const result = await measureWindows(
    async () => {
      if (++calls % 2 === 0) throw new Error(`failure ${calls}`)
      await sleep(1)
    },
    { concurrency: 1, intervalMs: 30, maxWindows: 3, isDone: () => false },
  )
  assert.equal(result.done, false)
  assert.equal(result.windows.length, 3)
  assert.ok(result.warmup.errors > 0)
  assert.equal(result.warmup.firstError, 'failure 2')
  assert.ok(result.windows.every((window) => window.errors > 0))
})

test('--request-count windows end after that many requests', async () => {
  const result = await measureWindows(() => sleep(1).then(() => undefined), { concurrency: 2, intervalMs: 10_000, requestCount: 20, maxWindows: 3, isDone: () => false })
  // The request that ends a window is counted in it; one finishing in the same tick may join it.
  for (const window of result.windows) assert.ok(window.requests >= 20 && window.requests <= 21, String(window.requests))
})

test('mergeWindows pools latencies and divides total requests by total time', () => {
  const window = (index: number, latencies: number[], durationMs: number) => ({
    index, latencies, durationMs, requests: latencies.length, errors: index, firstError: index ? `e${index}` : undefined,
    throughput: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0,
  })
  const merged = mergeWindows([window(0, [1, 2], 1000), window(1, [3, 4, 5, 6], 1000)])
  assert.equal(merged.requests, 6)
  assert.equal(merged.throughput, 3)
  assert.equal(merged.errors, 1)
  assert.equal(merged.firstError, 'e1')
  assert.equal(merged.p50, 3)
  assert.equal(merged.avg, 3.5)
})
