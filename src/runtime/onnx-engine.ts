/**
 * @module runtime/onnx-engine
 * onnxruntime-node behind the Engine contract: graph optimisation level from options,
 * configurable intra-op threads, thread-pool spinning off (a serving process must not burn
 * idle cores), and tensor conversion between maas tensors and ORT tensors.
 */
import { readFile } from 'node:fs/promises'
import ort from 'onnxruntime-node'
import type { Datatype } from '../core/datatypes.ts'
import { InvalidArgumentError, MaasError } from '../core/errors.ts'
import type { Tensor, TensorData } from '../core/tensor.ts'
import { readOnnxSignature, type ModelSignature } from '../onnx/onnx-signature.ts'
import type { Engine, EngineOptions, ExecuteRequest, ExecutionResult, LoadedModel } from './engine.ts'

const ORT_TYPE_OF: Record<Datatype, ort.Tensor.Type> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
}

const utf8Decoder = new TextDecoder()
const utf8Encoder = new TextEncoder()

/** The Engine for ONNX files. */
export class OnnxEngine implements Engine {
  readonly name = 'onnx'

  async load(path: string, options: EngineOptions): Promise<LoadedModel> {
    const bytes = await readFile(path)
    const signature = readOnnxSignature(bytes)
    let session: ort.InferenceSession
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptionsOf(options))
    } catch (error) {
      throw new InvalidArgumentError(`onnxruntime cannot load the model: ${(error as Error).message}`, { cause: error })
    }
    return new OnnxLoadedModel(session, signature)
  }
}

function sessionOptionsOf(options: EngineOptions): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: options.graphOptimizationLevel,
    intraOpNumThreads: options.intraOpThreads,
    interOpNumThreads: options.interOpThreads,
    executionMode: options.executionMode,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  }
}

class OnnxLoadedModel implements LoadedModel {
  #session: ort.InferenceSession | undefined

  constructor(
    session: ort.InferenceSession,
    readonly signature: ModelSignature,
  ) {
    this.#session = session
  }

  async execute(request: ExecuteRequest): Promise<ExecutionResult> {
    const session = this.#session
    if (!session) throw new MaasError('UNAVAILABLE', 'the model was unloaded')
    const started = process.hrtime.bigint()
    const feeds: Record<string, ort.Tensor> = {}
    for (const tensor of request.inputs) feeds[tensor.name] = toOrtTensor(tensor)
    const inputDone = process.hrtime.bigint()
    let results: ort.InferenceSession.ReturnType
    try {
      results = await session.run(feeds, request.outputs as string[])
    } catch (error) {
      // ORT rejects inputs the signature allowed (e.g. a dimension an operator cannot take).
      throw new InvalidArgumentError(`onnxruntime failed to run the model: ${(error as Error).message}`, { cause: error })
    }
    const inferDone = process.hrtime.bigint()
    const outputs = request.outputs.map((name) => fromOrtTensor(name, results[name]!))
    const outputDone = process.hrtime.bigint()
    return {
      outputs,
      timing: {
        computeInputNs: Number(inputDone - started),
        computeInferNs: Number(inferDone - inputDone),
        computeOutputNs: Number(outputDone - inferDone),
      },
    }
  }

  async unload(): Promise<void> {
    const session = this.#session
    this.#session = undefined
    await session?.release()
  }
}

function toOrtTensor(tensor: Tensor): ort.Tensor {
  const dims = tensor.shape as number[]
  if (tensor.datatype === 'BYTES') {
    const strings = (tensor.data as Uint8Array[]).map((bytes) => utf8Decoder.decode(bytes))
    return new ort.Tensor('string', strings, dims)
  }
  return new ort.Tensor(ORT_TYPE_OF[tensor.datatype] as 'float32', tensor.data as Float32Array, dims)
}

const DATATYPE_OF_ORT = new Map(Object.entries(ORT_TYPE_OF).map(([datatype, type]) => [type, datatype as Datatype]))

function fromOrtTensor(name: string, value: ort.OnnxValue): Tensor {
  const datatype = DATATYPE_OF_ORT.get(value.type as ort.Tensor.Type)
  if (!datatype) throw new MaasError('INTERNAL', `output '${name}' has ORT type ${value.type}, which maas cannot return`)
  const data: TensorData =
    datatype === 'BYTES' ? (value.data as string[]).map((text) => utf8Encoder.encode(text)) : (value.data as TensorData)
  return { name, datatype, shape: value.dims, data }
}
