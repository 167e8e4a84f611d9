/**
 * @module server/grpc/grpc-model-handlers
 * The KServe v2 core RPCs of GRPCInferenceService: server live/ready/metadata, model
 * ready/metadata, ModelInfer, and Triton's ModelConfig. Each one translates a message to a data plane call and back.
 */
import type { UntypedHandleCall } from '@grpc/grpc-js'
import { MaasError } from '../../core/errors.ts'
import type { DataPlane } from '../../inference/data-plane.ts'
import type { Logger } from '../logger.ts'
import type { ModelInferRequestMessage, ModelRefMessage } from './grpc-messages.ts'
import { decodeModelInferRequest, encodeModelInferResponse } from './grpc-tensor-codec.ts'
import { grpcCallerOf } from './grpc-security.ts'
import { unaryCall } from './grpc-unary-call.ts'

/** Handlers of the KServe v2 RPCs, keyed by proto method name. */
export function modelHandlers(dataPlane: DataPlane, logger: Logger): Record<string, UntypedHandleCall> {
  return {
    ServerLive: unaryCall('ServerLive', logger, () => ({ live: dataPlane.isLive() })),
    ServerReady: unaryCall('ServerReady', logger, () => ({ ready: dataPlane.isReady() })),
    ServerMetadata: unaryCall('ServerMetadata', logger, () => {
      const { name, version, extensions } = dataPlane.serverMetadata()
      return { name, version, extensions: [...extensions] }
    }),
    // As Triton: an unknown model or version, or one that cannot run now, is ready=false, not an error.
    ModelReady: unaryCall('ModelReady', logger, (request: ModelRefMessage) => {
      try {
        return { ready: dataPlane.modelReadiness(request.name ?? '', request.version || undefined).ready }
      } catch (error) {
        if (error instanceof MaasError && error.code === 'NOT_FOUND') return { ready: false }
        throw error
      }
    }),
    ModelMetadata: unaryCall('ModelMetadata', logger, (request: ModelRefMessage) => {
      const metadata = dataPlane.modelMetadata(request.name ?? '', request.version || undefined)
      const tensor = ({ name, datatype, shape }: { name: string; datatype: string; shape: readonly number[] }) => ({ name, datatype, shape })
      return {
        name: metadata.name,
        versions: [...metadata.versions],
        platform: metadata.platform,
        inputs: metadata.inputs.map(tensor),
        outputs: metadata.outputs.map(tensor),
      }
    }),
    ModelConfig: unaryCall('ModelConfig', logger, (request: ModelRefMessage) => ({
      config: dataPlane.modelConfig(request.name ?? '', request.version || undefined),
    })),
    ModelInfer: unaryCall('ModelInfer', logger, async (message: ModelInferRequestMessage, signal, call) => {
      const { modelName, modelVersion, request } = decodeModelInferRequest(message)
      return encodeModelInferResponse(await dataPlane.infer(modelName, modelVersion, request, signal, grpcCallerOf(call)))
    }),
  }
}
