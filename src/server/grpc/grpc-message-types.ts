/**
 * @module server/grpc/grpc-message-types
 * The protobufjs Types of the messages on the hot path (ModelInferRequest/Response), loaded
 * once from the same proto files and with the same field names (snake_case) as
 * grpc-proto.ts, for codecs that encode and decode without proto-loader's generic object
 * conversion: the server's ModelInfer serializers and the `maas bench` gRPC client.
 */
import path from 'node:path'
import protobuf from 'protobufjs'
import { PROTO_DIR } from './grpc-proto.ts'

/** The message types used directly, by their short names. */
export interface GrpcMessageTypes {
  readonly ModelInferRequest: protobuf.Type
  readonly ModelInferResponse: protobuf.Type
  readonly InferParameter: protobuf.Type
  readonly InferTensorContents: protobuf.Type
  readonly ModelMetadataRequest: protobuf.Type
  readonly ModelMetadataResponse: protobuf.Type
  readonly ModelStatisticsRequest: protobuf.Type
  readonly ModelStatisticsResponse: protobuf.Type
}

let loaded: GrpcMessageTypes | undefined

/** The types, parsed on first use. */
export function grpcMessageTypes(): GrpcMessageTypes {
  if (loaded) return loaded
  const root = new protobuf.Root()
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target))
  root.loadSync('grpc_service.proto', { keepCase: true })
  const type = (name: string) => root.lookupType(`inference.${name}`)
  loaded = Object.freeze({
    ModelInferRequest: type('ModelInferRequest'),
    ModelInferResponse: type('ModelInferResponse'),
    InferParameter: type('InferParameter'),
    InferTensorContents: type('InferTensorContents'),
    ModelMetadataRequest: type('ModelMetadataRequest'),
    ModelMetadataResponse: type('ModelMetadataResponse'),
    ModelStatisticsRequest: type('ModelStatisticsRequest'),
    ModelStatisticsResponse: type('ModelStatisticsResponse'),
  })
  return loaded
}
