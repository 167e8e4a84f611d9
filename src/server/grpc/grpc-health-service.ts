/**
 * @module server/grpc/grpc-health-service
 * grpc.health.v1.Health/Check as Triton's health.proto defines it (Check only, no Watch):
 * SERVING while the data plane is ready, NOT_SERVING otherwise, for the whole server ('')
 * and for inference.GRPCInferenceService; NOT_FOUND for any other service name.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js'
import { MaasError } from '../../core/errors.ts'
import type { DataPlane } from '../../inference/data-plane.ts'
import type { Logger } from '../logger.ts'
import type { HealthCheckRequestMessage } from './grpc-messages.ts'
import { INFERENCE_SERVICE_NAME } from './grpc-proto.ts'
import { unaryCall } from './grpc-unary-call.ts'

const CHECKED_SERVICES = new Set(['', INFERENCE_SERVICE_NAME])

/** The implementation of grpc.health.v1.Health. */
export function healthServiceImplementation(dataPlane: DataPlane, logger: Logger): UntypedServiceImplementation {
  return {
    Check: unaryCall('Health/Check', logger, (request: HealthCheckRequestMessage) => {
      const service = request.service ?? ''
      if (!CHECKED_SERVICES.has(service)) throw new MaasError('NOT_FOUND', `unknown service '${service}'; maas reports health for '' and '${INFERENCE_SERVICE_NAME}'`)
      return { status: dataPlane.isReady() ? 'SERVING' : 'NOT_SERVING' }
    }),
  }
}
