/**
 * @module inference/deferred-counter
 * A prom-client Counter for per-request counts: a child's inc() adds to a plain number, and
 * the sums reach the Counter when it is collected (scraped, or read as JSON). prom-client
 * hashes the labels on every inc(), even through labels(), a measurable cost per request.
 * Label sets reach the Counter in the order of their first increment, so the exposition is
 * what direct inc() calls would give.
 */
import { Counter, type Registry } from 'prom-client'

export interface DeferredCounterConfig<L extends string> {
  readonly name: string
  readonly help: string
  readonly labelNames: readonly L[]
  readonly registers: readonly Registry[]
}

/** One label set of a DeferredCounter. */
export interface CounterChild {
  inc(): void
}

export class DeferredCounter<L extends string> {
  readonly #counter: Counter<L>
  readonly #labelNames: readonly L[]
  readonly #children = new Map<string, DeferredCounterChild>()
  /** Children with increments not handed to the Counter yet, in the order of their first one. */
  readonly #pending: DeferredCounterChild[] = []

  constructor(config: DeferredCounterConfig<L>) {
    this.#labelNames = [...config.labelNames]
    const flush = () => this.#flush()
    this.#counter = new Counter({ name: config.name, help: config.help, labelNames: this.#labelNames, registers: [...config.registers], collect: flush })
  }

  /** The child of one label set, values in labelNames order; cache it where it is used per request. */
  labels(...values: string[]): CounterChild {
    const key = values.join('\u0000')
    let child = this.#children.get(key)
    if (child === undefined) {
      // Checks the values as prom-client would, once.
      this.#counter.labels(...values)
      const labels = {} as Record<L, string>
      this.#labelNames.forEach((name, index) => (labels[name] = values[index]!))
      child = new DeferredCounterChild(labels, this.#pending)
      this.#children.set(key, child)
    }
    return child
  }

  #flush(): void {
    for (const child of this.#pending) {
      this.#counter.inc(child.labelSet as Partial<Record<L, string>>, child.count)
      child.count = 0
    }
    this.#pending.length = 0
  }
}

class DeferredCounterChild implements CounterChild {
  /** Increments since the last flush. */
  count = 0
  readonly #pending: DeferredCounterChild[]

  constructor(
    readonly labelSet: Record<string, string>,
    pending: DeferredCounterChild[],
  ) {
    this.#pending = pending
  }

  inc(): void {
    if (this.count++ === 0) this.#pending.push(this)
  }
}
