/**
 * @module control/usage-meter-merge
 * Adds unflushed usage counts to what the registry returned, with the registry's filter
 * semantics and order, so a usage query sees every request recorded so far.
 */
import type { UsageFilter, UsageRecord } from '../registry/usage-store.ts'

/** True when `record` is selected by `filter` (keyId null: calls made without a key). */
export function matchesUsageFilter(record: Pick<UsageRecord, 'keyId' | 'model' | 'version' | 'day'>, filter: UsageFilter): boolean {
  return (filter.keyId === undefined || record.keyId === filter.keyId)
    && (filter.model === undefined || record.model === filter.model)
    && (filter.version === undefined || record.version === filter.version)
    && (filter.fromDay === undefined || record.day >= filter.fromDay)
    && (filter.toDay === undefined || record.day <= filter.toDay)
}

/** `stored` plus `unflushed`, one record per key, model, version and day, ordered as the store orders. */
export function mergeUsage(stored: readonly UsageRecord[], unflushed: readonly UsageRecord[]): UsageRecord[] {
  const merged = new Map<string, UsageRecord>()
  for (const record of [...stored, ...unflushed]) {
    const id = `${record.day}\u0000${record.keyId ?? ''}\u0000${record.model}\u0000${record.version}`
    const existing = merged.get(id)
    merged.set(id, existing === undefined
      ? { keyId: record.keyId, model: record.model, version: record.version, day: record.day, requests: record.requests, samples: record.samples, errors: record.errors, computeNs: Math.round(record.computeNs) }
      : {
        ...existing,
        requests: existing.requests + record.requests,
        samples: existing.samples + record.samples,
        errors: existing.errors + record.errors,
        computeNs: existing.computeNs + Math.round(record.computeNs),
      })
  }
  return [...merged.values()].sort(compareUsage)
}

/** Day, model, version, then key (no key first), as the registry orders usage. */
function compareUsage(a: UsageRecord, b: UsageRecord): number {
  return compare(a.day, b.day) || compare(a.model, b.model) || a.version - b.version || compare(a.keyId ?? '', b.keyId ?? '')
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
