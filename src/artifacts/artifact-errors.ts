/**
 * @module artifacts/artifact-errors
 * The artifact store's errors, in core's vocabulary.
 */
import { MaasError } from '../core/errors.ts'

/** No artifact with this hash is stored. */
export class ArtifactNotFoundError extends MaasError {
  constructor(sha256: string) {
    super('NOT_FOUND', `artifact ${sha256} is not found`)
  }
}

/** The stored bytes no longer hash to their address: data loss on disk or in transit. */
export class ArtifactCorruptError extends MaasError {
  constructor(sha256: string, actual: string) {
    super('INTERNAL', `artifact ${sha256} is corrupt: its content hashes to ${actual}`)
  }
}

/** An upload whose content does not hash to the digest the client declared. */
export class ArtifactDigestMismatchError extends MaasError {
  constructor(expected: string, actual: string) {
    super('INVALID_ARGUMENT', `artifact content hashes to ${actual}, not the expected ${expected}`)
  }
}
