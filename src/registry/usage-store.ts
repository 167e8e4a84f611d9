/**
 * @module registry/usage-store
 * The usage seam: counters per API key, model, version and UTC day, added to with an upsert
 * so that concurrent servers can flush into the same row.
 */

export interface UsageIncrement {
  /** Null for unauthenticated calls. */
  readonly keyId: string | null
  readonly model: string
  readonly version: number
  /** Picks the UTC day; default now. */
  readonly at?: Date
  readonly requests?: number
  readonly samples?: number
  readonly errors?: number
  readonly computeNs?: number
}

export interface UsageRecord {
  readonly keyId: string | null
  readonly model: string
  readonly version: number
  /** 'YYYY-MM-DD', UTC. */
  readonly day: string
  readonly requests: number
  readonly samples: number
  readonly errors: number
  readonly computeNs: number
}

export interface UsageFilter {
  /** Null selects unauthenticated usage. */
  readonly keyId?: string | null
  readonly model?: string
  readonly version?: number
  /** Inclusive 'YYYY-MM-DD' bounds. */
  readonly fromDay?: string
  readonly toDay?: string
}

export interface UsageStore {
  /** Adds to the counters (creating rows as needed), all increments in one transaction. */
  increment(increments: UsageIncrement | readonly UsageIncrement[]): Promise<void>
  /** Ordered by day, model, version, key. */
  list(filter?: UsageFilter): Promise<UsageRecord[]>
}
