/**
 * @module inference/labelled-histogram
 * A Prometheus histogram for per-request timings whose label sets are bound once: observing
 * is a bucket search and three additions. prom-client's Histogram builds and looks up a hash
 * of the labels on every observe, even through labels(), a measurable cost per request. The
 * exposition (text and JSON) is exactly what a prom-client Histogram with the same name,
 * buckets and observations gives: label sets in the order of their first observation.
 */
import type { Histogram, Registry } from 'prom-client'

export interface LabelledHistogramConfig<L extends string> {
  readonly name: string
  readonly help: string
  readonly labelNames: readonly L[]
  /** Upper bounds, ascending. */
  readonly buckets: readonly number[]
  readonly registers: readonly Registry[]
}

/** One label set of a LabelledHistogram. */
export interface HistogramChild {
  observe(value: number): void
}

/** One exported sample, in the shape prom-client's registry formats. */
interface ExportedValue {
  labels: Record<string, string | number>
  sharedLabels: Record<string, string>
  value: number
  metricName: string
  exemplar: null | undefined
}

export class LabelledHistogram<L extends string> {
  readonly name: string
  readonly help: string
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly labelNames: readonly L[]
  readonly #bounds: readonly number[]
  readonly #children = new Map<string, LabelledHistogramChild>()
  /** Children observed at least once, in the order of their first observation. */
  #observed: LabelledHistogramChild[] = []

  constructor(config: LabelledHistogramConfig<L>) {
    this.name = config.name
    this.help = config.help
    this.labelNames = [...config.labelNames]
    this.#bounds = [...config.buckets]
    // The registry only reads name, get() / getForPromString() and reset(): it formats this
    // exactly as the Histogram it takes the place of.
    for (const registry of config.registers) registry.registerMetric(this as unknown as Histogram<L>)
  }

  /** The child of one label set, values in labelNames order; cache it where it is used per request. */
  labels(...values: string[]): HistogramChild {
    if (values.length !== this.labelNames.length) {
      throw new Error(`Invalid number of arguments (${values.length}): "${values.join(', ')}" for label names: "${this.labelNames.join(', ')}".`)
    }
    return this.#child(values)
  }

  /**
   * Observes for a label set given as an object (prom-client's form), for occasional use. As
   * in prom-client, a label left out is left out of the sample, and a label not declared
   * throws.
   */
  observe(labels: Readonly<Partial<Record<L, string>>>, value: number): void {
    for (const name of Object.keys(labels)) {
      if (!this.labelNames.includes(name as L)) throw new Error(`Added label "${name}" is not included in initial labelset: ${JSON.stringify(this.labelNames)}`)
    }
    this.#child(this.labelNames.map((name) => labels[name])).observe(value)
  }

  /** The child of a label set by value (undefined: the label is absent). */
  #child(values: readonly (string | undefined)[]): LabelledHistogramChild {
    // \u0001 stands for an absent label, so { a: '' } and {} are different label sets.
    const key = values.map((value) => value ?? '\u0001').join('\u0000')
    let child = this.#children.get(key)
    if (child === undefined) {
      const labelSet: Record<string, string> = {}
      this.labelNames.forEach((name, index) => {
        if (values[index] !== undefined) labelSet[name] = values[index]
      })
      child = new LabelledHistogramChild(this.#bounds, labelSet, this.#observed)
      this.#children.set(key, child)
    }
    return child
  }

  reset(): void {
    for (const child of this.#observed) child.clear()
    this.#observed.length = 0
  }

  /** What prom-client's registry formats as text. */
  async getForPromString() {
    const values: ExportedValue[] = []
    const bucketName = `${this.name}_bucket`
    for (const child of this.#observed) {
      let cumulative = 0
      this.#bounds.forEach((bound, index) => {
        cumulative += child.buckets[index]!
        values.push({ labels: { le: bound }, sharedLabels: child.labelSet, value: cumulative, metricName: bucketName, exemplar: null })
      })
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: child.labelSet, value: child.count, metricName: bucketName, exemplar: null },
        { labels: {}, sharedLabels: child.labelSet, value: child.sum, metricName: `${this.name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels: child.labelSet, value: child.count, metricName: `${this.name}_count`, exemplar: undefined },
      )
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  /** The JSON form (registry.getMetricsAsJSON): each sample's labels with the label set merged in. */
  async get() {
    const data = await this.getForPromString()
    return {
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...value }) => ({ ...value, labels: { ...labels, ...sharedLabels } })),
    }
  }
}

class LabelledHistogramChild implements HistogramChild {
  /** Observations per bucket (not cumulative); values above the last bound are only counted. */
  readonly buckets: number[]
  sum = 0
  count = 0
  readonly #bounds: readonly number[]
  readonly #observed: LabelledHistogramChild[]

  constructor(
    bounds: readonly number[],
    readonly labelSet: Record<string, string>,
    observed: LabelledHistogramChild[],
  ) {
    this.#bounds = bounds
    this.buckets = bounds.map(() => 0)
    this.#observed = observed
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`)
    if (this.count === 0) this.#observed.push(this)
    const bounds = this.#bounds
    for (let index = 0; index < bounds.length; index++) {
      if (value <= bounds[index]!) {
        this.buckets[index]!++
        break
      }
    }
    this.sum += value
    this.count++
  }

  clear(): void {
    this.buckets.fill(0)
    this.sum = 0
    this.count = 0
  }
}
