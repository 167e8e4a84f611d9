/**
 * @module registry/registry-schema
 * The registry's tables as kysely sees them: snake_case columns, timestamps as bigint epoch
 * milliseconds, JSON as text, so the same queries run on SQLite and PostgreSQL. bigint
 * columns read as numbers on both: open-registry gives pg an int8 parser (every value kept
 * here — epoch ms, counters, byte sizes — stays below 2^53).
 */
import type { Generated } from 'kysely'

/** The two databases the registry runs on. */
export type RegistryDialect = 'sqlite' | 'postgres'

/** A bigint column (epoch ms, counters, sizes). */
export type Int8 = number

export interface ModelsTable {
  name: string
  description: string
  task: string | null
  labels: string
  owner: string | null
  visibility: string
  /** The highest version number ever allocated; never goes down. */
  last_version: number
  /** Triton config.json as JSON text; null: defaults. */
  serving_config: string | null
  created_at: Int8
  updated_at: Int8
}

export interface ModelVersionsTable {
  model: string
  version: number
  status: string
  status_reason: string | null
  artifact_sha256: string | null
  artifact_uri: string | null
  artifact_size: Int8 | null
  artifact_format: string | null
  signature: string | null
  metrics: string
  created_by: string | null
  created_at: Int8
  updated_at: Int8
}

export interface AliasesTable {
  model: string
  name: string
  version: number
  canary_version: number | null
  canary_weight: number
  updated_by: string | null
  updated_at: Int8
}

export interface LineageTable {
  model: string
  version: number
  operation: string
  parameters: string
  dataset: string | null
  created_at: Int8
}

export interface LineageParentsTable {
  model: string
  version: number
  position: number
  parent_model: string
  parent_version: number
}

export interface ModelCardsTable {
  model: string
  markdown: string
  updated_by: string | null
  updated_at: Int8
}

export interface JobsTable {
  id: string
  kind: string
  spec: string
  status: string
  attempts: number
  max_attempts: number
  progress: string | null
  checkpoint: string | null
  result: string | null
  error: string | null
  owner: string | null
  worker_id: string | null
  worker_pid: number | null
  lease_expires_at: Int8 | null
  heartbeat_at: Int8 | null
  created_at: Int8
  updated_at: Int8
  started_at: Int8 | null
  finished_at: Int8 | null
}

export interface ApiKeysTable {
  id: string
  prefix: string
  hash: string
  name: string
  role: string
  allowed_models: string | null
  /** JSON array of scopes beyond the role, e.g. ["metrics"]; null: none. */
  scopes: string | null
  created_at: Int8
  revoked_at: Int8 | null
  expires_at: Int8 | null
  rotated_from: string | null
}

export interface UsageCountersTable {
  /** '' for unauthenticated calls: key columns cannot be NULL. */
  key_id: string
  model: string
  version: number
  day: string
  requests: Int8
  samples: Int8
  errors: Int8
  compute_ns: Int8
}

export interface AuditLogTable {
  id: Generated<number>
  at: Int8
  actor: string
  action: string
  target: string
  result: string
  details: string | null
}

/** The registry database. */
export interface RegistryDatabase {
  models: ModelsTable
  model_versions: ModelVersionsTable
  aliases: AliasesTable
  lineage: LineageTable
  lineage_parents: LineageParentsTable
  model_cards: ModelCardsTable
  jobs: JobsTable
  api_keys: ApiKeysTable
  usage_counters: UsageCountersTable
  audit_log: AuditLogTable
}
