/**
 * @module inference/repository-state
 * The state a repository index row shows, on REST and gRPC alike. Triton's model repository
 * extension knows READY, LOADING, UNLOADING and UNAVAILABLE; a version that failed to load is
 * UNAVAILABLE there, its reason saying why. maas keeps FAILED apart inside (TF Serving's
 * status reports it as END with an error), and shows Triton's state on the wire, so clients
 * written for Triton read maas' index unchanged.
 */
import type { VersionState } from '../runtime/model-manager.ts'

export type RepositoryState = Exclude<VersionState, 'FAILED'>

export function repositoryState(state: VersionState): RepositoryState {
  return state === 'FAILED' ? 'UNAVAILABLE' : state
}
