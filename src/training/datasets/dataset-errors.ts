/**
 * @module training/datasets/dataset-errors
 * The two ways loading a dataset fails on purpose: the bytes are not what they claim to be
 * (INVALID_ARGUMENT), or the files are nowhere to be found (NOT_FOUND). Messages name the
 * file or directory involved, so a user can act on them without reading code.
 */
import { MaasError } from '../../core/errors.ts'

/** A dataset file or text that is corrupt, truncated or inconsistent. */
export class DatasetFormatError extends MaasError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_ARGUMENT', message, options)
  }
}

/** A named dataset whose files are not on disk and could not be downloaded. */
export class DatasetNotFoundError extends MaasError {
  constructor(message: string, options?: ErrorOptions) {
    super('NOT_FOUND', message, options)
  }
}
