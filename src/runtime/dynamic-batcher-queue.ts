/**
 * @module runtime/dynamic-batcher-queue
 * The dynamic batcher's queue and batch formation, free of timers and promises so that the
 * rules (priority order, timed-out requests behind the others, compatible requests only,
 * Triton's preferred sizes) can be read and tested on their own.
 */
import { haveSameRowLayout } from './batch-tensors.ts'
import type { ExecuteRequest } from './engine.ts'

/** What the queue needs to know of a queued request. */
export interface QueueEntry {
  readonly request: ExecuteRequest
  /** Rows this request adds to a batch (its inputs' dimension 0; 1 for a model that does not batch). */
  readonly rows: number
  /** False for a request that must run alone (batching off, or inputs that cannot stack). */
  readonly mergeable: boolean
  /** Index into the priority levels, 0 first. */
  readonly level: number
  /** Timed out with the DELAY action: served after every request of its level that is not. */
  delayed: boolean
}

/**
 * Requests by priority level, each level FIFO. Sets keep insertion order and delete in O(1),
 * which cancellation and timeouts need; their iterators stay valid while entries move.
 */
export class PriorityRequestQueue<T extends QueueEntry> {
  readonly #levels: { readonly waiting: Set<T>; readonly delayed: Set<T> }[]
  #size = 0

  constructor(levelCount: number) {
    this.#levels = Array.from({ length: Math.max(1, levelCount) }, () => ({ waiting: new Set<T>(), delayed: new Set<T>() }))
  }

  get size(): number {
    return this.#size
  }

  push(entry: T): void {
    this.#level(entry).waiting.add(entry)
    this.#size++
  }

  /** Removes an entry; false when it was not queued (already dispatched or removed). */
  remove(entry: T): boolean {
    const level = this.#level(entry)
    if (!level.waiting.delete(entry) && !level.delayed.delete(entry)) return false
    this.#size--
    return true
  }

  /** Moves a timed-out entry behind every entry of its level that has not timed out. */
  delay(entry: T): void {
    const level = this.#level(entry)
    if (!level.waiting.delete(entry)) return
    entry.delayed = true
    level.delayed.add(entry)
  }

  has(entry: T): boolean {
    const level = this.#level(entry)
    return level.waiting.has(entry) || level.delayed.has(entry)
  }

  /** Entries in dispatch order: highest priority level first, then age, delayed ones last in their level. */
  *[Symbol.iterator](): Generator<T> {
    for (const level of this.#levels) {
      yield* level.waiting
      yield* level.delayed
    }
  }

  #level(entry: T): { readonly waiting: Set<T>; readonly delayed: Set<T> } {
    const level = this.#levels[entry.level]
    if (level === undefined) throw new RangeError(`priority level index ${entry.level} is out of range`)
    return level
  }
}

/** The batch that could run now, with what the dispatcher needs to decide whether to wait. */
export interface BatchPlan<T extends QueueEntry> {
  /** The oldest eligible request first, then the compatible ones that fit, in queue order. */
  readonly requests: readonly T[]
  readonly rows: number
  /** The batch cannot grow: it is full, its head runs alone, or the next compatible request does not fit. */
  readonly saturated: boolean
  /** How many leading requests make the largest preferred batch size reached; 0 when none is. */
  readonly preferredCount: number
}

/**
 * Forms the next batch from `entries` (queue order). `skip` is asked about each entry first and
 * may remove or move it (a timed-out request), which is why batch formation walks the queue
 * itself rather than being handed a snapshot. Incompatible requests are passed over, not
 * reordered, so they keep their place for the next batch.
 */
export function planBatch<T extends QueueEntry>(
  entries: Iterable<T>,
  maxBatchSize: number,
  preferredBatchSizes: ReadonlySet<number>,
  skip: (entry: T) => boolean,
): BatchPlan<T> | undefined {
  const requests: T[] = []
  let rows = 0
  let preferredCount = 0
  for (const entry of entries) {
    if (skip(entry)) continue
    const head = requests[0]
    if (head === undefined) {
      requests.push(entry)
      rows = entry.rows
      if (preferredBatchSizes.has(rows)) preferredCount = 1
      if (!entry.mergeable || rows >= maxBatchSize) return { requests, rows, saturated: true, preferredCount }
      continue
    }
    if (!entry.mergeable || !areMergeable(head.request, entry.request)) continue
    // Stop rather than pass over a request that does not fit: taking later, smaller ones
    // instead would let a large request starve behind a stream of small ones.
    if (rows + entry.rows > maxBatchSize) return { requests, rows, saturated: true, preferredCount }
    requests.push(entry)
    rows += entry.rows
    if (preferredBatchSizes.has(rows)) preferredCount = requests.length
    if (rows === maxBatchSize) return { requests, rows, saturated: true, preferredCount }
  }
  if (requests.length === 0) return undefined
  return { requests, rows, saturated: false, preferredCount }
}

/**
 * Whether two requests can share a batch: the same inputs (names and order) with the same
 * datatype and shape after dimension 0, and the same requested outputs in the same order,
 * since the merged request asks for one list of outputs.
 */
export function areMergeable(a: ExecuteRequest, b: ExecuteRequest): boolean {
  if (a.inputs.length !== b.inputs.length || a.outputs.length !== b.outputs.length) return false
  for (let index = 0; index < a.inputs.length; index++) {
    const left = a.inputs[index]
    const right = b.inputs[index]
    if (left === undefined || right === undefined || left.name !== right.name || !haveSameRowLayout(left, right)) return false
  }
  return a.outputs.every((name, index) => b.outputs[index] === name)
}

/**
 * Rows a request adds to a batch, or undefined when its inputs cannot stack along dimension 0
 * (no inputs, a scalar, or inputs disagreeing on dimension 0): such a request runs alone.
 */
export function requestRows(request: ExecuteRequest): number | undefined {
  const rows = request.inputs[0]?.shape[0]
  if (rows === undefined) return undefined
  return request.inputs.every((input) => input.shape.length > 0 && input.shape[0] === rows) ? rows : undefined
}
