/**
 * @module registry/audit-store
 * The audit seam: an append-only log of who did what to which target, and how it ended.
 */

export type AuditResult = 'success' | 'denied' | 'failure'

export const AUDIT_RESULTS: readonly AuditResult[] = Object.freeze(['success', 'denied', 'failure'])

export interface AuditEntry {
  /** Increasing in insertion order. */
  readonly id: number
  readonly at: Date
  /** A key id, a user, or 'system'. */
  readonly actor: string
  /** e.g. 'model.create', 'alias.set', 'key.revoke'. */
  readonly action: string
  /** e.g. 'model:resnet/3'. */
  readonly target: string
  readonly result: AuditResult
  readonly details: Readonly<Record<string, unknown>> | null
}

export interface NewAuditEntry {
  readonly actor: string
  readonly action: string
  readonly target: string
  readonly result: AuditResult
  readonly details?: Readonly<Record<string, unknown>> | null
  /** Default now. */
  readonly at?: Date
}

export interface AuditFilter {
  readonly actor?: string
  readonly action?: string
  readonly target?: string
  readonly result?: AuditResult
  /** Inclusive. */
  readonly from?: Date
  /** Exclusive. */
  readonly to?: Date
  /** Entries older than this id (cursor for paging). */
  readonly beforeId?: number
  /** Default 100. */
  readonly limit?: number
}

export interface AuditStore {
  append(entry: NewAuditEntry): Promise<AuditEntry>
  /** Newest first. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>
}
