/**
 * @module registry/registry-errors
 * The registry's errors, in core's vocabulary. Models reuse core's ModelNotFoundError; a
 * missing version extends it, so code that catches "model not found" catches both.
 */
import { MaasError, ModelNotFoundError } from '../core/errors.ts'

/** A version number that the model does not have. */
export class VersionNotFoundError extends ModelNotFoundError {
  constructor(model: string, version: number) {
    super(model, String(version))
  }
}

/** An alias name that the model does not have. */
export class AliasNotFoundError extends MaasError {
  constructor(model: string, alias: string) {
    super('NOT_FOUND', `alias '${alias}' of model '${model}' is not found`)
  }
}

/** A training (or other) job id that the queue does not know. */
export class JobNotFoundError extends MaasError {
  constructor(id: string) {
    super('NOT_FOUND', `job '${id}' is not found`)
  }
}

/** An API key id or prefix that is not registered. */
export class ApiKeyNotFoundError extends MaasError {
  constructor(id: string) {
    super('NOT_FOUND', `API key '${id}' is not found`)
  }
}

/** A second model, key, job or lineage record with the same identity. */
export class RegistryConflictError extends MaasError {
  constructor(message: string, options?: ErrorOptions) {
    super('ALREADY_EXISTS', message, options)
  }
}

/** The operation is valid but not in the current state (alias in use, version not READY, …). */
export class RegistryPreconditionError extends MaasError {
  constructor(message: string, options?: ErrorOptions) {
    super('FAILED_PRECONDITION', message, options)
  }
}

/** A worker reported on a job it no longer holds (lease expired and reclaimed, or cancelled). */
export class JobLeaseLostError extends RegistryPreconditionError {
  constructor(id: string, workerId: string, status: string) {
    super(`job '${id}' is no longer held by worker '${workerId}' (status ${status})`)
  }
}

/** The registry database cannot be opened or migrated. */
export class RegistryUnavailableError extends MaasError {
  constructor(message: string, options?: ErrorOptions) {
    super('UNAVAILABLE', message, options)
  }
}
