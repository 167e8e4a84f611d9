/**
 * @module cli/bench/grpc-bench-driver
 * inference.GRPCInferenceService for `maas bench`: ModelMetadata, ModelStatistics, and
 * ModelInfer with raw_input_contents, over GrpcHttp2Client (gRPC on node:http2, not
 * grpc-js: the client's CPU per call is the benchmark's to keep small). One HTTP/2
 * connection per 16 workers (at most 4, or --grpc-channels); the request message encoded and
 * framed once; every response's status checked and its message decoded.
 */
import { grpcMessageTypes } from '../../server/grpc/grpc-message-types.ts'
import { INFERENCE_SERVICE_NAME, PROTO_OBJECT_OPTIONS } from '../../server/grpc/grpc-proto.ts'
import { BenchSetupError } from './bench-setup-error.ts'
import type { BenchDriver, InferLoad, InferTarget, ModelMetadata } from './bench-driver.ts'
import { frameGrpcMessage, GRPC_CODE, GrpcCallError, GrpcHttp2Client, grpcCodeName } from './grpc-http2-client.ts'
import { parseModelStat, type StatisticsSnapshot } from './server-statistics.ts'

export const DEFAULT_GRPC_ADDRESS = '127.0.0.1:8001'

const CONTROL_DEADLINE_MS = 10_000

const methodPath = (method: string) => `/${INFERENCE_SERVICE_NAME}/${method}`

export class GrpcBenchDriver implements BenchDriver {
  readonly endpoint: string
  readonly #control: GrpcHttp2Client
  readonly #channels: number | undefined

  constructor(address: string | undefined, options: { readonly channels?: number } = {}) {
    this.endpoint = (address ?? DEFAULT_GRPC_ADDRESS).replace(/^(grpc|http):\/\//i, '').replace(/\/$/, '')
    if (!/^[^/\s]+:\d+$/.test(this.endpoint)) throw new BenchSetupError(`--url '${address}' is not a gRPC address (expected host:port)`)
    this.#control = new GrpcHttp2Client(this.endpoint)
    this.#channels = options.channels
  }

  async modelMetadata(model: string, version: string | undefined): Promise<ModelMetadata> {
    const types = grpcMessageTypes()
    const response = await this.#call('ModelMetadata', types.ModelMetadataRequest, types.ModelMetadataResponse, { name: model, version: version ?? '' }, `model '${model}'${version ? ` version ${version}` : ''}`)
    const tensors = (list: any[] | undefined) =>
      (list ?? []).map((tensor) => ({ name: String(tensor.name), datatype: String(tensor.datatype), shape: ((tensor.shape ?? []) as string[]).map(Number) }))
    return { name: response.name, versions: response.versions ?? (version ? [version] : []), inputs: tensors(response.inputs), outputs: tensors(response.outputs) }
  }

  async modelStatistics(model: string, version: string): Promise<StatisticsSnapshot> {
    const types = grpcMessageTypes()
    const response = await this.#call('ModelStatistics', types.ModelStatisticsRequest, types.ModelStatisticsResponse, { name: model, version }, 'statistics')
    return parseModelStat(response.model_stats?.[0])
  }

  createLoad(target: InferTarget, concurrency: number): InferLoad {
    const clients = Array.from({ length: this.#channels ?? Math.min(4, Math.ceil(concurrency / 16)) }, () => new GrpcHttp2Client(this.endpoint))
    const { ModelInferRequest, ModelInferResponse } = grpcMessageTypes()
    const request = ModelInferRequest.fromObject({
      model_name: target.model,
      model_version: target.version,
      inputs: target.inputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
      raw_input_contents: target.inputs.map((input) => input.raw),
    })
    const framed = frameGrpcMessage(ModelInferRequest.encode(request).finish())
    const path = methodPath('ModelInfer')
    let next = 0
    const operation = async () => {
      const client = clients[next++ % clients.length]!
      ModelInferResponse.decode(await client.unary(path, framed))
    }
    return { operation, release: () => clients.forEach((client) => client.close()) }
  }

  close(): void {
    this.#control.close()
  }

  async #call(method: string, requestType: ProtobufType, responseType: ProtobufType, request: object, what: string): Promise<any> {
    const framed = frameGrpcMessage(requestType.encode(requestType.fromObject(request)).finish())
    try {
      const bytes = await this.#control.unary(methodPath(method), framed, { deadlineMs: CONTROL_DEADLINE_MS })
      return responseType.toObject(responseType.decode(bytes), PROTO_OBJECT_OPTIONS)
    } catch (error) {
      if (!(error instanceof GrpcCallError)) throw new BenchSetupError(`${method} at ${this.endpoint}: undecodable response: ${(error as Error).message}`)
      const status = `${grpcCodeName(error.code)}: ${error.details}`
      if (error.code === GRPC_CODE.UNAVAILABLE || error.code === GRPC_CODE.DEADLINE_EXCEEDED) {
        throw new BenchSetupError(`cannot reach the gRPC server at ${this.endpoint}: ${status}`)
      }
      if (error.code === GRPC_CODE.NOT_FOUND) throw new BenchSetupError(`${what} not found at ${this.endpoint}: ${error.details}`)
      throw new BenchSetupError(`${method} at ${this.endpoint}: ${status}`)
    }
  }
}

type ProtobufType = ReturnType<typeof grpcMessageTypes>['ModelInferRequest']
