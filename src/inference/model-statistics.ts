/**
 * @module inference/model-statistics
 * Cumulative per model-version statistics in the shape of Triton's statistics extension:
 * request outcomes with durations, queue / compute input / infer / output time, executions
 * and per-batch-size execution statistics.
 */
import type { ExecutionTiming } from '../runtime/scheduler.ts'

export interface DurationStat {
  count: number
  ns: number
}

export interface BatchStat {
  readonly batchSize: number
  readonly computeInput: DurationStat
  readonly computeInfer: DurationStat
  readonly computeOutput: DurationStat
}

export interface ModelStatistics {
  readonly name: string
  readonly version: string
  /** Milliseconds since the epoch; 0 before the first request. */
  readonly lastInference: number
  readonly inferenceCount: number
  readonly executionCount: number
  readonly inferenceStats: {
    readonly success: DurationStat
    readonly fail: DurationStat
    readonly queue: DurationStat
    readonly computeInput: DurationStat
    readonly computeInfer: DurationStat
    readonly computeOutput: DurationStat
  }
  readonly batchStats: readonly BatchStat[]
}

interface Entry {
  lastInference: number
  inferenceCount: number
  executionCount: number
  success: DurationStat
  fail: DurationStat
  queue: DurationStat
  computeInput: DurationStat
  computeInfer: DurationStat
  computeOutput: DurationStat
  batches: Map<number, BatchStat>
}

const zero = (): DurationStat => ({ count: 0, ns: 0 })

function add(stat: DurationStat, ns: number): void {
  stat.count++
  stat.ns += ns
}

export class StatisticsRecorder {
  readonly #entries = new Map<string, Map<string, Entry>>()

  /** A request that got its outputs; `inferences` is its batch size (dimension 0) or 1. */
  recordSuccess(model: string, version: string, inferences: number, totalNs: number, timing: ExecutionTiming & { queueNs: number }): void {
    const entry = this.#entry(model, version)
    entry.lastInference = Date.now()
    entry.inferenceCount += inferences
    add(entry.success, totalNs)
    add(entry.queue, timing.queueNs)
    add(entry.computeInput, timing.computeInputNs)
    add(entry.computeInfer, timing.computeInferNs)
    add(entry.computeOutput, timing.computeOutputNs)
  }

  recordFailure(model: string, version: string, totalNs: number): void {
    const entry = this.#entry(model, version)
    entry.lastInference = Date.now()
    add(entry.fail, totalNs)
  }

  /** One execution of a (possibly merged) batch. */
  recordExecution(model: string, version: string, batchSize: number, timing: ExecutionTiming): void {
    const entry = this.#entry(model, version)
    entry.executionCount++
    let batch = entry.batches.get(batchSize)
    if (!batch) {
      batch = { batchSize, computeInput: zero(), computeInfer: zero(), computeOutput: zero() }
      entry.batches.set(batchSize, batch)
    }
    add(batch.computeInput, timing.computeInputNs)
    add(batch.computeInfer, timing.computeInferNs)
    add(batch.computeOutput, timing.computeOutputNs)
  }

  /** Statistics of the given model versions (every version known to have run, when none is given). */
  snapshot(model: string, versions: readonly string[]): ModelStatistics[] {
    const byVersion = this.#entries.get(model)
    return versions.map((version) => {
      const entry = byVersion?.get(version) ?? emptyEntry()
      return {
        name: model,
        version,
        lastInference: entry.lastInference,
        inferenceCount: entry.inferenceCount,
        executionCount: entry.executionCount,
        inferenceStats: {
          success: { ...entry.success },
          fail: { ...entry.fail },
          queue: { ...entry.queue },
          computeInput: { ...entry.computeInput },
          computeInfer: { ...entry.computeInfer },
          computeOutput: { ...entry.computeOutput },
        },
        batchStats: [...entry.batches.values()].sort((a, b) => a.batchSize - b.batchSize).map((batch) => structuredClone(batch)),
      }
    })
  }

  #entry(model: string, version: string): Entry {
    let byVersion = this.#entries.get(model)
    if (!byVersion) this.#entries.set(model, (byVersion = new Map()))
    let entry = byVersion.get(version)
    if (!entry) byVersion.set(version, (entry = emptyEntry()))
    return entry
  }
}

function emptyEntry(): Entry {
  return {
    lastInference: 0,
    inferenceCount: 0,
    executionCount: 0,
    success: zero(),
    fail: zero(),
    queue: zero(),
    computeInput: zero(),
    computeInfer: zero(),
    computeOutput: zero(),
    batches: new Map(),
  }
}
