/**
 * @module server/grpc/grpc-repository-handlers
 * Triton's model repository extension (index, load, unload) and statistics extension over
 * gRPC. maas serves one unnamed repository, so a repository_name is refused as Triton does.
 */
import type { UntypedHandleCall } from '@grpc/grpc-js'
import { InvalidArgumentError, MaasError } from '../../core/errors.ts'
import type { DataPlane } from '../../inference/data-plane.ts'
import { repositoryState } from '../../inference/repository-state.ts'
import type { Logger } from '../logger.ts'
import type { ModelRefMessage, RepositoryIndexRequestMessage, RepositoryModelRequestMessage } from './grpc-messages.ts'
import { encodeModelStatistics } from './grpc-statistics.ts'
import { unaryCall } from './grpc-unary-call.ts'

/** Handlers of the repository and statistics RPCs, keyed by proto method name. */
export function repositoryHandlers(dataPlane: DataPlane, logger: Logger): Record<string, UntypedHandleCall> {
  return {
    RepositoryIndex: unaryCall('RepositoryIndex', logger, async (request: RepositoryIndexRequestMessage) => {
      checkRepositoryName(request.repository_name)
      const entries = await dataPlane.repositoryIndex()
      return {
        models: entries
          .filter((entry) => !request.ready || entry.state === 'READY')
          .map((entry) => ({ name: entry.name, version: entry.version ?? '', state: repositoryState(entry.state), reason: entry.reason ?? '' })),
      }
    }),
    RepositoryModelLoad: unaryCall('RepositoryModelLoad', logger, async (request: RepositoryModelRequestMessage) => {
      checkRepositoryName(request.repository_name)
      const overrides = Object.keys(request.parameters ?? {})
      if (overrides.length > 0) {
        throw new InvalidArgumentError(
          `model load: parameters ${overrides.join(', ')} are not supported; maas loads the model from the repository folder`,
        )
      }
      await dataPlane.loadModel(request.model_name ?? '')
      return {}
    }),
    // unload_dependents (and any other parameter) changes nothing: maas has no ensembles.
    RepositoryModelUnload: unaryCall('RepositoryModelUnload', logger, async (request: RepositoryModelRequestMessage) => {
      checkRepositoryName(request.repository_name)
      await dataPlane.unloadModel(request.model_name ?? '')
      return {}
    }),
    ModelStatistics: unaryCall('ModelStatistics', logger, async (request: ModelRefMessage) => {
      return encodeModelStatistics(await dataPlane.modelStatistics(request.name || undefined, request.version || undefined))
    }),
  }
}

function checkRepositoryName(name: string | undefined): void {
  if (name) throw new MaasError('UNIMPLEMENTED', `'repository_name' specification is not supported; maas serves one repository (got '${name}')`)
}
