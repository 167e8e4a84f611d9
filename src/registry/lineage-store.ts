/**
 * @module registry/lineage-store
 * The lineage seam: how each version came to be (trained, uploaded, quantized, pruned,
 * distilled), from which parent versions, with which parameters and dataset. Recorded once
 * per version; parents are kept as history even when a parent is later deleted.
 */

export type LineageOperation = 'trained' | 'uploaded' | 'quantized' | 'pruned' | 'distilled'

export const LINEAGE_OPERATIONS: readonly LineageOperation[] = Object.freeze([
  'trained', 'uploaded', 'quantized', 'pruned', 'distilled',
])

/** One version of one model. */
export interface VersionRef {
  readonly model: string
  readonly version: number
}

export interface LineageRecord extends VersionRef {
  readonly operation: LineageOperation
  readonly parameters: Readonly<Record<string, unknown>>
  /** Dataset name or URI the operation used, if any. */
  readonly dataset: string | null
  /** In the order given (a distillation's teacher first, say). */
  readonly parents: readonly VersionRef[]
  readonly createdAt: Date
}

export interface NewLineage {
  readonly operation: LineageOperation
  readonly parameters?: Readonly<Record<string, unknown>>
  readonly dataset?: string | null
  readonly parents?: readonly VersionRef[]
}

export interface LineageStore {
  /**
   * Records how a version was made. The version and its parents must exist; ALREADY_EXISTS
   * when the version has lineage already; INVALID_ARGUMENT when it would close a cycle.
   */
  record(version: VersionRef, lineage: NewLineage): Promise<LineageRecord>
  /** Null when nothing was recorded. */
  get(version: VersionRef): Promise<LineageRecord | null>
  parents(version: VersionRef): Promise<VersionRef[]>
  children(version: VersionRef): Promise<VersionRef[]>
  /** Every ancestor, nearest first (breadth-first), each once. */
  ancestors(version: VersionRef): Promise<VersionRef[]>
  /** Every descendant, nearest first (breadth-first), each once. */
  descendants(version: VersionRef): Promise<VersionRef[]>
}
