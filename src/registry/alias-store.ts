/**
 * @module registry/alias-store
 * The aliases seam: names such as `production` or `staging` (or any other) that point at a
 * READY version of a model, optionally with a canary version taking a share of the traffic.
 */

/** A second version that receives `weight` percent of the alias's traffic. */
export interface Canary {
  readonly version: number
  /** Integer percentage, 0–100. */
  readonly weight: number
}

export interface AliasRecord {
  readonly model: string
  readonly name: string
  /** The primary version. */
  readonly version: number
  readonly canary: Canary | null
  readonly updatedBy: string | null
  readonly updatedAt: Date
}

export interface AliasTarget {
  readonly version: number
  readonly canary?: Canary | null
  readonly updatedBy?: string | null
}

/** Aliases of models. Names are lower-case words, never bare numbers (those are versions). */
export interface AliasStore {
  /**
   * Creates or moves the alias. Both versions must exist and be READY
   * (FAILED_PRECONDITION otherwise); the canary must differ from the primary and its weight
   * be an integer in 0–100 (INVALID_ARGUMENT).
   */
  set(model: string, name: string, target: AliasTarget): Promise<AliasRecord>
  /** AliasNotFoundError when absent. */
  get(model: string, name: string): Promise<AliasRecord>
  /** Ordered by name. */
  list(model: string): Promise<AliasRecord[]>
  /** The aliases that point at a version, as primary or canary. */
  listForVersion(model: string, version: number): Promise<AliasRecord[]>
  delete(model: string, name: string): Promise<void>
}
