/**
 * @module cli/bench/bench-driver
 * The seam between the benchmark and a protocol: metadata, statistics and a load of
 * back-to-back inference requests. One implementation per protocol family (REST, gRPC);
 * the loop, the stability rule and the report know none of them.
 */
import type { GeneratedInput, TensorMetadata } from './input-generator.ts'
import type { Operation } from './measurement-windows.ts'
import type { StatisticsSnapshot } from './server-statistics.ts'

/** The parts of a model's metadata the benchmark uses. */
export interface ModelMetadata {
  readonly name: string
  readonly versions: readonly string[]
  readonly inputs: readonly TensorMetadata[]
  readonly outputs: readonly TensorMetadata[]
}

/** What to send: one model version and its generated inputs. */
export interface InferTarget {
  readonly model: string
  readonly version: string
  readonly inputs: readonly GeneratedInput[]
}

/** An Operation bound to connections sized for one concurrency; release() closes them. */
export interface InferLoad {
  readonly operation: Operation
  release(): void
}

export interface BenchDriver {
  /** Where it connects, for the report. */
  readonly endpoint: string
  /** Throws BenchSetupError when the server is unreachable or the model unknown. */
  modelMetadata(model: string, version: string | undefined): Promise<ModelMetadata>
  modelStatistics(model: string, version: string): Promise<StatisticsSnapshot>
  createLoad(target: InferTarget, concurrency: number): InferLoad
  close(): void
}

/** The version a request without one is served by: the highest number the server lists. */
export function latestVersion(metadata: ModelMetadata): string {
  const versions = [...metadata.versions].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))
  const latest = versions.at(-1)
  if (latest === undefined) throw new Error(`model '${metadata.name}' lists no versions`)
  return latest
}
