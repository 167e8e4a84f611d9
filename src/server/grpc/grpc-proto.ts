/**
 * @module server/grpc/grpc-proto
 * Loads Triton's protos (KServe v2 GRPCInferenceService plus Triton's extensions, and
 * grpc.health.v1) once, with the loader options every gRPC codec here is written against.
 */
import { fileURLToPath } from 'node:url'
import type { ServiceDefinition } from '@grpc/grpc-js'
import { loadSync, type Options } from '@grpc/proto-loader'

/** The folder holding grpc_service.proto, model_config.proto and health.proto. */
export const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url))

/** Fully qualified service names, as in the protos. */
export const INFERENCE_SERVICE_NAME = 'inference.GRPCInferenceService'
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health'

/** The message-to-object part of PROTO_LOADER_OPTIONS below, for protobufjs' Type.toObject. */
export const PROTO_OBJECT_OPTIONS = Object.freeze({ longs: String, enums: String, defaults: false, oneofs: true })

/**
 * snake_case field names as in the proto; int64/uint64 as decimal strings (exact, and no
 * Long objects to unwrap); enums as names; unset fields left out (proto3 has no presence
 * for scalars, so '' and 0 mean "not given"); the oneof case named by a virtual field;
 * bytes as Buffers that view the received message, so raw tensor data is not copied.
 */
export const PROTO_LOADER_OPTIONS: Options = Object.freeze({
  keepCase: true,
  ...PROTO_OBJECT_OPTIONS,
  includeDirs: [PROTO_DIR],
})

/** The loaded service definitions, ready for Server.addService. */
export interface GrpcServiceDefinitions {
  readonly inference: ServiceDefinition
  readonly health: ServiceDefinition
}

let loaded: GrpcServiceDefinitions | undefined

/** The two service definitions, parsed on first use. */
export function loadGrpcServiceDefinitions(): GrpcServiceDefinitions {
  if (loaded) return loaded
  const definition = loadSync(['grpc_service.proto', 'health.proto'], PROTO_LOADER_OPTIONS)
  loaded = Object.freeze({
    inference: definition[INFERENCE_SERVICE_NAME] as ServiceDefinition,
    health: definition[HEALTH_SERVICE_NAME] as ServiceDefinition,
  })
  return loaded
}
