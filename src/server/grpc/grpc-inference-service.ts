/**
 * @module server/grpc/grpc-inference-service
 * The implementation of inference.GRPCInferenceService: the RPCs maas serves, and for every
 * other method of the loaded service definition an UNIMPLEMENTED answer that says why, so
 * nothing in the proto is left unanswered or answered vaguely.
 */
import type { sendUnaryData, ServiceDefinition, ServiceError, UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js'
import { MaasError } from '../../core/errors.ts'
import type { DataPlane } from '../../inference/data-plane.ts'
import type { Logger } from '../logger.ts'
import { modelHandlers } from './grpc-model-handlers.ts'
import { INFERENCE_SERVICE_NAME } from './grpc-proto.ts'
import { repositoryHandlers } from './grpc-repository-handlers.ts'
import { toServiceError } from './grpc-status.ts'
import type { Security } from '../auth/security.ts'
import { guardHandlers } from './grpc-security.ts'
import { streamInferCall } from './grpc-stream-infer.ts'

/** Why a method is not served, where there is something better to say than "not implemented". */
const UNIMPLEMENTED_HINTS: Readonly<Record<string, string>> = {
  SystemSharedMemoryStatus: 'shared memory is not supported',
  SystemSharedMemoryRegister: 'shared memory is not supported',
  SystemSharedMemoryUnregister: 'shared memory is not supported',
  CudaSharedMemoryStatus: 'CUDA shared memory is not supported',
  CudaSharedMemoryRegister: 'CUDA shared memory is not supported',
  CudaSharedMemoryUnregister: 'CUDA shared memory is not supported',
  TraceSetting: 'tracing is not supported',
  LogSettings: 'log settings cannot be changed over gRPC',
}

/** Handlers for every method of `definition`; fails fast if a handler names a method the proto lacks. */
export function inferenceServiceImplementation(
  definition: ServiceDefinition,
  dataPlane: DataPlane,
  logger: Logger,
  security?: Security,
): UntypedServiceImplementation {
  const handlers: Record<string, UntypedHandleCall> = { ...modelHandlers(dataPlane, logger), ...repositoryHandlers(dataPlane, logger) }
  const served = security ? guardHandlers(handlers, security, logger) : handlers
  // Streams admit each message themselves (RPC_ACTIONS' streaming entry, per request as on ModelInfer).
  served.ModelStreamInfer = streamInferCall(dataPlane, logger, security) as unknown as UntypedHandleCall
  for (const name of Object.keys(served)) {
    if (!(name in definition)) throw new Error(`gRPC handler '${name}' has no method in ${INFERENCE_SERVICE_NAME}`)
  }
  const implementation: UntypedServiceImplementation = {}
  for (const [name, method] of Object.entries(definition)) {
    implementation[name] = served[name] ?? unimplemented(name, method.requestStream || method.responseStream, logger)
  }
  return implementation
}

function unimplemented(method: string, streaming: boolean, logger: Logger): UntypedHandleCall {
  const hint = UNIMPLEMENTED_HINTS[method]
  const message = `${INFERENCE_SERVICE_NAME}/${method} is not implemented by maas${hint ? `: ${hint}` : ''}`
  const error = () => toServiceError(new MaasError('UNIMPLEMENTED', message), logger, method)
  if (streaming) return (call: { emit(event: 'error', error: ServiceError): boolean }) => call.emit('error', error())
  return (_call: unknown, callback: sendUnaryData<unknown>) => callback(error())
}
