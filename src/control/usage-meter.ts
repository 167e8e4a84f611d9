/**
 * @module control/usage-meter
 * Usage metering per API key, model, version and UTC day: requests, samples, errors and
 * compute time. `record()` runs once per inference, so it only adds to an in-memory slot;
 * every flushIntervalMs (and on stop) the slots go to the registry in one transaction and to
 * the Prometheus counters, so no request waits on a database write. Queries merge what is
 * not flushed yet. A flush that fails keeps its counts for the next one.
 */
import type { InferenceDone } from '../inference/data-plane.ts'
import { Counter, type Registry } from 'prom-client'
import type { UsageFilter, UsageIncrement, UsageRecord, UsageStore } from '../registry/usage-store.ts'
import { matchesUsageFilter, mergeUsage } from './usage-meter-merge.ts'

/** One finished inference, as the data plane reports it. */
export type UsageEvent = InferenceDone

export interface UsageMeterOptions {
  readonly store: UsageStore
  /** Where the maas_usage_* counters are registered; none: no counters. */
  readonly metrics?: Registry
  /** Default 1000. */
  readonly flushIntervalMs?: number
  /** Epoch milliseconds, picks the day; default Date.now. */
  readonly now?: () => number
  /** A timed flush failed (its counts are kept and retried). */
  readonly onFlushError?: (error: Error) => void
}

/** The `key` label of calls made without a key, and the usage query value that selects them. */
export const ANONYMOUS_KEY = 'anonymous'

const DAY_MS = 86_400_000

interface Slot {
  readonly keyId: string | null
  readonly model: string
  readonly version: number
  readonly day: string
  requests: number
  samples: number
  errors: number
  computeNs: number
}

type UsageCounters = Record<'requests' | 'samples' | 'errors' | 'computeSeconds', Counter<'key' | 'model'>>

export class UsageMeter {
  readonly #store: UsageStore
  readonly #counters: UsageCounters | undefined
  readonly #intervalMs: number
  readonly #now: () => number
  readonly #onFlushError: (error: Error) => void
  /** Counts in neither the registry nor the counters. */
  #pending = new Map<string, Slot>()
  /** Counts already in the counters whose registry write failed; retried first. */
  #unwritten = new Map<string, Slot>()
  #day = ''
  #dayStart = 0
  #timer: NodeJS.Timeout | undefined
  /** Flushes and queries run one at a time, so a query never misses a batch being written. */
  #tail: Promise<unknown> = Promise.resolve()

  constructor(options: UsageMeterOptions) {
    this.#store = options.store
    this.#intervalMs = options.flushIntervalMs ?? 1000
    this.#now = options.now ?? Date.now
    this.#onFlushError = options.onFlushError ?? (() => {})
    if (options.metrics) this.#counters = createCounters(options.metrics)
  }

  /** Adds one inference. Cheap and synchronous: a clock read, one map lookup, four additions. */
  record(event: UsageEvent): void {
    const now = this.#now()
    if (now < this.#dayStart || now >= this.#dayStart + DAY_MS) this.#rollDay(now)
    const id = `${this.#day}\u0000${event.keyId ?? ''}\u0000${event.model}\u0000${event.version}`
    let slot = this.#pending.get(id)
    if (slot === undefined) {
      slot = { keyId: event.keyId, model: event.model, version: event.version, day: this.#day, requests: 0, samples: 0, errors: 0, computeNs: 0 }
      this.#pending.set(id, slot)
    }
    slot.requests++
    if (Number.isSafeInteger(event.samples) && event.samples > 0) slot.samples += event.samples
    if (event.error) slot.errors++
    if (event.computeNs > 0) slot.computeNs += event.computeNs
  }

  /** Starts the periodic flush (the timer does not keep the process alive). */
  start(): void {
    this.#timer ??= setInterval(() => {
      this.flush().catch((error: Error) => this.#onFlushError(error))
    }, this.#intervalMs).unref()
  }

  /** Writes what was recorded so far; rejects (keeping the counts for later) when the registry write fails. */
  flush(): Promise<void> {
    return this.#exclusive(() => this.#flushNow())
  }

  /** Stops the timer and flushes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.flush()
  }

  /** Usage from the registry plus what is not flushed yet, ordered by day, model, version, key. */
  usage(filter: UsageFilter = {}): Promise<UsageRecord[]> {
    return this.#exclusive(async () => {
      const stored = await this.#store.list(filter)
      const unflushed = [...this.#unwritten.values(), ...this.#pending.values()].filter((slot) => matchesUsageFilter(slot, filter))
      return mergeUsage(stored, unflushed)
    })
  }

  async #flushNow(): Promise<void> {
    const batch = this.#pending
    this.#pending = new Map()
    this.#count(batch.values())
    for (const [id, slot] of batch) addSlot(this.#unwritten, id, slot)
    if (this.#unwritten.size === 0) return
    const writing = this.#unwritten
    this.#unwritten = new Map()
    try {
      await this.#store.increment([...writing.values()].map(toIncrement))
    } catch (error) {
      // Counts recorded meanwhile went to #pending, so these merge back without double counting.
      for (const [id, slot] of writing) addSlot(this.#unwritten, id, slot)
      throw error
    }
  }

  #count(slots: Iterable<Slot>): void {
    const counters = this.#counters
    if (counters === undefined) return
    for (const slot of slots) {
      const labels = { key: slot.keyId ?? ANONYMOUS_KEY, model: slot.model }
      counters.requests.inc(labels, slot.requests)
      counters.samples.inc(labels, slot.samples)
      counters.errors.inc(labels, slot.errors)
      counters.computeSeconds.inc(labels, slot.computeNs / 1e9)
    }
  }

  #rollDay(now: number): void {
    this.#dayStart = now - (now % DAY_MS)
    this.#day = new Date(this.#dayStart).toISOString().slice(0, 10)
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work, work)
    this.#tail = run.catch(() => {})
    return run
  }
}

function addSlot(into: Map<string, Slot>, id: string, slot: Slot): void {
  const existing = into.get(id)
  if (existing === undefined) {
    into.set(id, slot)
    return
  }
  existing.requests += slot.requests
  existing.samples += slot.samples
  existing.errors += slot.errors
  existing.computeNs += slot.computeNs
}

function toIncrement(slot: Slot): UsageIncrement {
  return {
    keyId: slot.keyId, model: slot.model, version: slot.version,
    // Noon of the slot's day: the store takes the UTC day of `at`.
    at: new Date(`${slot.day}T12:00:00.000Z`),
    requests: slot.requests, samples: slot.samples, errors: slot.errors, computeNs: Math.round(slot.computeNs),
  }
}

function createCounters(registry: Registry): UsageCounters {
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ['key', 'model'] as const, registers: [registry] })
  return {
    requests: counter('maas_usage_requests_total', `Inference requests by API key id ('${ANONYMOUS_KEY}' without a key) and model.`),
    samples: counter('maas_usage_samples_total', 'Samples (batch rows) inferred, by API key id and model.'),
    errors: counter('maas_usage_errors_total', 'Inference requests that failed, by API key id and model.'),
    computeSeconds: counter('maas_usage_compute_seconds_total', 'Engine compute time, in seconds, by API key id and model.'),
  }
}
