/**
 * @module server/grpc/grpc-messages
 * TypeScript shapes of the messages of grpc_service.proto that maas reads and writes, as
 * @grpc/proto-loader gives and takes them with PROTO_LOADER_OPTIONS: snake_case, unset
 * fields absent, 64-bit integers as decimal strings when read (numbers are accepted when
 * written), bytes as Buffer. Only the fields maas uses are listed.
 */

/** InferParameter as read: one of the values, and `parameter_choice` naming which. */
export interface InferParameterMessage {
  readonly bool_param?: boolean
  readonly int64_param?: string
  readonly string_param?: string
  readonly double_param?: number
  readonly uint64_param?: string
  readonly parameter_choice?: string
}

/** InferParameter as written. */
export type OutgoingInferParameter =
  | { readonly bool_param: boolean }
  | { readonly int64_param: number }
  | { readonly string_param: string }
  | { readonly double_param: number }

export type ParameterMapMessage = Readonly<Record<string, InferParameterMessage>>

export interface InferTensorContentsMessage {
  readonly bool_contents?: readonly boolean[]
  readonly int_contents?: readonly number[]
  readonly int64_contents?: readonly string[]
  readonly uint_contents?: readonly number[]
  readonly uint64_contents?: readonly string[]
  readonly fp32_contents?: readonly number[]
  readonly fp64_contents?: readonly number[]
  readonly bytes_contents?: readonly Buffer[]
}

export interface InferInputTensorMessage {
  readonly name?: string
  readonly datatype?: string
  readonly shape?: readonly string[]
  readonly parameters?: ParameterMapMessage
  readonly contents?: InferTensorContentsMessage
}

export interface InferRequestedOutputTensorMessage {
  readonly name?: string
  readonly parameters?: ParameterMapMessage
}

export interface ModelInferRequestMessage {
  readonly model_name?: string
  readonly model_version?: string
  readonly id?: string
  readonly parameters?: ParameterMapMessage
  readonly inputs?: readonly InferInputTensorMessage[]
  readonly outputs?: readonly InferRequestedOutputTensorMessage[]
  readonly raw_input_contents?: readonly Buffer[]
}

export interface InferOutputTensorMessage {
  readonly name: string
  readonly datatype: string
  readonly shape: readonly number[]
  readonly parameters?: Record<string, OutgoingInferParameter>
}

export interface ModelInferResponseMessage {
  readonly model_name: string
  readonly model_version: string
  readonly id?: string
  readonly parameters?: Record<string, OutgoingInferParameter>
  readonly outputs: readonly InferOutputTensorMessage[]
  readonly raw_output_contents: readonly Buffer[]
}

/** The request of ModelReady, ModelMetadata, ModelConfig and ModelStatistics. */
export interface ModelRefMessage {
  readonly name?: string
  readonly version?: string
}

/** ModelRepositoryParameter as read. */
export interface ModelRepositoryParameterMessage {
  readonly bool_param?: boolean
  readonly int64_param?: string
  readonly string_param?: string
  readonly bytes_param?: Buffer
  readonly parameter_choice?: string
}

export interface RepositoryIndexRequestMessage {
  readonly repository_name?: string
  readonly ready?: boolean
}

/** RepositoryModelLoadRequest and RepositoryModelUnloadRequest. */
export interface RepositoryModelRequestMessage {
  readonly repository_name?: string
  readonly model_name?: string
  readonly parameters?: Readonly<Record<string, ModelRepositoryParameterMessage>>
}

export interface HealthCheckRequestMessage {
  readonly service?: string
}
