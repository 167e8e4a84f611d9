import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { PriorityRequestQueue, areMergeable, planBatch, requestRows, type QueueEntry } from './dynamic-batcher-queue.ts'
import type { ExecuteRequest } from './engine.ts'

interface Entry extends QueueEntry {
  readonly id: string
}

function entry(id: string, rows: number, { level = 0, width = 1, mergeable = true } = {}): Entry {
  const request: ExecuteRequest = {
    inputs: [{ name: 'X', datatype: 'FP32', shape: [rows, width], data: new Float32Array(rows * width) }],
    outputs: ['Y'],
  }
  return { id, request, rows, mergeable, level, delayed: false }
}

function queueOf(...entries: Entry[]): PriorityRequestQueue<Entry> {
  const queue = new PriorityRequestQueue<Entry>(2)
  for (const item of entries) queue.push(item)
  return queue
}

const ids = (entries: Iterable<Entry>) => [...entries].map((item) => item.id)
const never = () => false

describe('PriorityRequestQueue', () => {
  test('iterates by level, then age, with delayed entries last in their level', () => {
    const [a, b, c, d] = [entry('a', 1, { level: 1 }), entry('b', 1), entry('c', 1), entry('d', 1, { level: 1 })]
    const queue = queueOf(a, b, c, d)
    queue.delay(b)
    assert.deepEqual(ids(queue), ['c', 'b', 'a', 'd'])
    assert.equal(b.delayed, true)
    assert.equal(queue.remove(b), true)
    assert.equal(queue.remove(b), false)
    assert.equal(queue.size, 3)
    assert.equal(queue.has(b), false)
  })
})

describe('planBatch', () => {
  test('takes compatible requests in order up to maxBatchSize and stops at one that does not fit', () => {
    const plan = planBatch(queueOf(entry('a', 2), entry('b', 3), entry('c', 4), entry('d', 1)), 8, new Set(), never)
    assert.deepEqual(ids(plan!.requests), ['a', 'b'])
    assert.equal(plan!.rows, 5)
    assert.equal(plan!.saturated, true, 'c does not fit, and passing it over for d would starve it')
  })

  test('is not saturated while the queue runs out below maxBatchSize', () => {
    const plan = planBatch(queueOf(entry('a', 1), entry('b', 1, { width: 2 }), entry('c', 1)), 8, new Set(), never)
    assert.deepEqual(ids(plan!.requests), ['a', 'c'])
    assert.equal(plan!.saturated, false)
  })

  test('counts the leading requests that make the largest preferred size reached', () => {
    const plan = planBatch(queueOf(entry('a', 1), entry('b', 1), entry('c', 2), entry('d', 1)), 8, new Set([2, 4, 6]), never)
    assert.equal(plan!.preferredCount, 3)
    assert.equal(plan!.rows, 5)
  })

  test('a request that must run alone forms a saturated batch of one', () => {
    const plan = planBatch(queueOf(entry('a', 1, { mergeable: false }), entry('b', 1)), 8, new Set(), never)
    assert.deepEqual(ids(plan!.requests), ['a'])
    assert.equal(plan!.saturated, true)
    const behind = planBatch(queueOf(entry('a', 1), entry('b', 1, { mergeable: false }), entry('c', 1)), 8, new Set(), never)
    assert.deepEqual(ids(behind!.requests), ['a', 'c'])
  })

  test('lets skip remove or delay entries while it walks, visiting delayed ones after the rest', () => {
    const [a, b, c] = [entry('a', 1), entry('b', 1), entry('c', 1)]
    const queue = queueOf(a, b, c)
    const plan = planBatch(queue, 8, new Set(), (item) => {
      if (item === a && !a.delayed) return queue.delay(a), true
      if (item === b) return queue.remove(b), true
      return false
    })
    assert.deepEqual(ids(plan!.requests), ['c', 'a'])
    assert.equal(planBatch(queueOf(), 8, new Set(), never), undefined)
  })
})

describe('areMergeable and requestRows', () => {
  test('need the same input names, layouts and requested outputs', () => {
    const base = entry('a', 1).request
    assert.equal(areMergeable(base, entry('b', 3).request), true)
    assert.equal(areMergeable(base, { ...base, outputs: ['Z'] }), false)
    assert.equal(areMergeable(base, { ...base, inputs: [{ ...base.inputs[0]!, name: 'W' }] }), false)
    assert.equal(areMergeable(base, { ...base, inputs: [] }), false)
  })

  test('rows are dimension 0 shared by every input; scalars or disagreeing inputs cannot batch', () => {
    const x = { name: 'X', datatype: 'FP32', data: new Float32Array(6) } as const
    assert.equal(requestRows({ inputs: [{ ...x, shape: [3, 2] }, { ...x, name: 'Z', shape: [3] }], outputs: [] }), 3)
    assert.equal(requestRows({ inputs: [{ ...x, shape: [3, 2] }, { ...x, name: 'Z', shape: [2] }], outputs: [] }), undefined)
    assert.equal(requestRows({ inputs: [{ ...x, shape: [] }], outputs: [] }), undefined)
    assert.equal(requestRows({ inputs: [], outputs: [] }), undefined)
  })
})
