/**
 * @module registry/version-store
 * The versions seam: numbered versions of a model and their lifecycle
 * REGISTERING → READY | FAILED, READY ⇄ ARCHIVED. A REGISTERING version has its number but
 * not yet a visible artifact; lists hide it unless asked.
 */
import type { ModelSignature } from '../onnx/onnx-signature.ts'

export type VersionStatus = 'REGISTERING' | 'READY' | 'FAILED' | 'ARCHIVED'

export const VERSION_STATUSES: readonly VersionStatus[] = Object.freeze(['REGISTERING', 'READY', 'FAILED', 'ARCHIVED'])

/** Where a version's file lives: a content address in the artifact store. */
export interface ArtifactRef {
  readonly sha256: string
  readonly uri: string
  readonly sizeBytes: number
  /** e.g. 'onnx'. */
  readonly format: string
}

export interface VersionRecord {
  readonly model: string
  readonly version: number
  readonly status: VersionStatus
  /** Why the version FAILED (or was archived), when known. */
  readonly statusReason: string | null
  readonly artifact: ArtifactRef | null
  readonly signature: ModelSignature | null
  /** Evaluation metrics, e.g. { accuracy: 0.93 }. */
  readonly metrics: Readonly<Record<string, number>>
  readonly createdBy: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface NewVersion {
  /**
   * A given number instead of the next one (importing a Triton folder keeps its numbers). It
   * must be above every number the model ever had: numbers are never reused.
   */
  readonly number?: number
  readonly artifact?: ArtifactRef
  readonly signature?: ModelSignature
  readonly metrics?: Readonly<Record<string, number>>
  readonly createdBy?: string | null
}

/** Artifact and signature change only while REGISTERING; metrics at any time (re-evaluation). */
export interface VersionPatch {
  readonly artifact?: ArtifactRef
  readonly signature?: ModelSignature
  readonly metrics?: Readonly<Record<string, number>>
}

export interface VersionFilter {
  /** Only these statuses; default every status but REGISTERING. */
  readonly statuses?: readonly VersionStatus[]
}

/** Versions of a model, numbered 1, 2, … without reuse, even after deletes. */
export interface VersionStore {
  /** Allocates the next number atomically; the version starts REGISTERING. */
  create(model: string, version?: NewVersion): Promise<VersionRecord>
  /** VersionNotFoundError when absent (ModelNotFoundError when the model is). */
  get(model: string, version: number): Promise<VersionRecord>
  /** Ascending by number. */
  list(model: string, filter?: VersionFilter): Promise<VersionRecord[]>
  /** The highest READY version, or null. */
  latest(model: string): Promise<VersionRecord | null>
  update(model: string, version: number, patch: VersionPatch): Promise<VersionRecord>
  /**
   * Moves the lifecycle on. READY needs an artifact; ARCHIVED is refused while an alias
   * points at the version; other moves outside the lifecycle are FAILED_PRECONDITION.
   */
  setStatus(model: string, version: number, status: VersionStatus, reason?: string): Promise<VersionRecord>
  /** FAILED_PRECONDITION while an alias points at it (as primary or canary). */
  delete(model: string, version: number): Promise<void>
  /** Every artifact sha256 any version refers to, for artifact garbage collection. */
  referencedArtifacts(): Promise<Set<string>>
}
