/**
 * @module artifacts/artifact-store
 * The artifact seam: where model files live, addressed by the sha256 of their content.
 * LocalArtifactStore keeps them in a folder; an S3-compatible store can implement the same
 * interface (it would leave out `path`, which exists so ONNX Runtime can map a local file).
 */
import { InvalidArgumentError } from '../core/errors.ts'

/** What put accepts: bytes, or any async iterable of chunks (a Readable, a web stream). */
export type ArtifactBody = Uint8Array | AsyncIterable<Uint8Array | string>

export interface PutOptions {
  /** Larger bodies are refused with PayloadTooLargeError and leave nothing behind. */
  readonly maxBytes?: number
  /** When given, a body hashing to anything else is refused and leaves nothing behind. */
  readonly expectedSha256?: string
}

/** A stored artifact. */
export interface StoredArtifact {
  /** 64 lower-case hex digits. */
  readonly sha256: string
  readonly sizeBytes: number
  /** Where it is, for the registry: file:///…, or s3://… for a remote store. */
  readonly uri: string
}

export interface GarbageCollectionOptions {
  /**
   * Only artifacts (and abandoned temporary files) older than this are removed, so that an
   * upload whose version is not yet in the registry survives. Default one hour.
   */
  readonly minAgeMs?: number
}

export interface GarbageCollection {
  /** Hashes of the artifacts removed. */
  readonly deleted: readonly string[]
  readonly freedBytes: number
}

export interface ArtifactStore {
  /**
   * Stores the body (streamed, hashed on the way) and returns its address. Atomic: readers
   * see the whole artifact or none of it. Storing content already there is harmless.
   */
  put(body: ArtifactBody, options?: PutOptions): Promise<StoredArtifact>
  /** The content, checked against its hash: ArtifactCorruptError when it does not match. */
  get(sha256: string): Promise<Uint8Array>
  /** Checks the stored content against its hash without returning it; ArtifactCorruptError on mismatch. */
  verify(sha256: string): Promise<void>
  has(sha256: string): Promise<boolean>
  /** True when there was something to delete. */
  delete(sha256: string): Promise<boolean>
  /** Local stores only: the file's path, for engines that load from disk. */
  path?(sha256: string): string
  /** Removes every artifact not in `referenced` (e.g. VersionStore.referencedArtifacts()). */
  collectGarbage(referenced: ReadonlySet<string>, options?: GarbageCollectionOptions): Promise<GarbageCollection>
}

const SHA256 = /^[0-9a-f]{64}$/

/** True for 64 lower-case hex digits. */
export function isSha256(value: string): boolean {
  return SHA256.test(value)
}

/** Throws INVALID_ARGUMENT unless `value` is a sha256 in lower-case hex (which also keeps it out of paths). */
export function assertSha256(value: string): void {
  if (!isSha256(value)) throw new InvalidArgumentError(`'${value}' is not a sha256 digest (64 lower-case hex digits)`)
}
