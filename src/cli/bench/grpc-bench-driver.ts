/**
 * @module cli/bench/grpc-bench-driver
 * inference.GRPCInferenceService for `maas bench`: ModelMetadata, ModelStatistics, and
 * ModelInfer with raw_input_contents. One grpc-js channel per 16 workers (at most 4, or
 * --grpc-channels), each on its own HTTP/2 connection; a request message built once.
 */
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { INFERENCE_SERVICE_NAME, PROTO_LOADER_OPTIONS } from '../../server/grpc/grpc-proto.ts'
import { BenchSetupError } from './bench-setup-error.ts'
import type { BenchDriver, InferLoad, InferTarget, ModelMetadata } from './bench-driver.ts'
import { parseModelStat, type StatisticsSnapshot } from './server-statistics.ts'

export const DEFAULT_GRPC_ADDRESS = '127.0.0.1:8001'

type UnaryMethod = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: any) => void) => void
type InferenceClient = grpc.Client & Record<string, UnaryMethod>
type InferenceClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => InferenceClient

let clientConstructor: InferenceClientConstructor | undefined

function inferenceClientConstructor(): InferenceClientConstructor {
  clientConstructor ??= grpc.loadPackageDefinition(loadSync(['grpc_service.proto'], PROTO_LOADER_OPTIONS)).inference!['GRPCInferenceService' as never] as InferenceClientConstructor
  if (typeof clientConstructor !== 'function') throw new Error(`${INFERENCE_SERVICE_NAME} missing from the proto`)
  return clientConstructor
}

/** A separate subchannel pool per client, so each channel really opens its own connection. */
const CHANNEL_OPTIONS: grpc.ChannelOptions = Object.freeze({
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  'grpc.use_local_subchannel_pool': 1,
  // A benchmark must see every failure; grpc-js would otherwise retry transparently.
  'grpc.enable_retries': 0,
})

export class GrpcBenchDriver implements BenchDriver {
  readonly endpoint: string
  readonly #control: InferenceClient
  readonly #channels: number | undefined

  constructor(address: string | undefined, options: { readonly channels?: number } = {}) {
    this.endpoint = (address ?? DEFAULT_GRPC_ADDRESS).replace(/^(grpc|http):\/\//i, '').replace(/\/$/, '')
    if (!/^[^/\s]+:\d+$/.test(this.endpoint)) throw new BenchSetupError(`--url '${address}' is not a gRPC address (expected host:port)`)
    this.#control = this.#newClient()
    this.#channels = options.channels
  }

  async modelMetadata(model: string, version: string | undefined): Promise<ModelMetadata> {
    const response = await this.#call('ModelMetadata', { name: model, version: version ?? '' }, `model '${model}'${version ? ` version ${version}` : ''}`)
    const tensors = (list: any[] | undefined) =>
      (list ?? []).map((tensor) => ({ name: String(tensor.name), datatype: String(tensor.datatype), shape: ((tensor.shape ?? []) as string[]).map(Number) }))
    return { name: response.name, versions: response.versions ?? (version ? [version] : []), inputs: tensors(response.inputs), outputs: tensors(response.outputs) }
  }

  async modelStatistics(model: string, version: string): Promise<StatisticsSnapshot> {
    const response = await this.#call('ModelStatistics', { name: model, version }, 'statistics')
    return parseModelStat(response.model_stats?.[0])
  }

  createLoad(target: InferTarget, concurrency: number): InferLoad {
    const clients = Array.from({ length: this.#channels ?? Math.min(4, Math.ceil(concurrency / 16)) }, () => this.#newClient())
    const request = {
      model_name: target.model,
      model_version: target.version,
      inputs: target.inputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
      raw_input_contents: target.inputs.map((input) => input.raw),
    }
    const metadata = new grpc.Metadata()
    let next = 0
    const operation = () =>
      new Promise<void>((resolve, reject) => {
        const client = clients[next++ % clients.length]!
        client.ModelInfer!(request, metadata, {}, (error) => {
          if (error) reject(new Error(`gRPC ${grpc.status[error.code]}: ${error.details}`))
          else resolve()
        })
      })
    return { operation, release: () => clients.forEach((client) => client.close()) }
  }

  close(): void {
    this.#control.close()
  }

  #newClient(): InferenceClient {
    const Client = inferenceClientConstructor()
    return new Client(this.endpoint, grpc.credentials.createInsecure(), CHANNEL_OPTIONS)
  }

  #call(method: string, request: object, what: string): Promise<any> {
    return new Promise((resolve, reject) => {
      this.#control[method]!(request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, response) => {
        if (!error) return resolve(response)
        if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED) {
          reject(new BenchSetupError(`cannot reach the gRPC server at ${this.endpoint}: ${grpc.status[error.code]}: ${error.details}`))
        } else if (error.code === grpc.status.NOT_FOUND) {
          reject(new BenchSetupError(`${what} not found at ${this.endpoint}: ${error.details}`))
        } else {
          reject(new BenchSetupError(`${method} at ${this.endpoint}: ${grpc.status[error.code]}: ${error.details}`))
        }
      })
    })
  }
}
