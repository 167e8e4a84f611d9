/**
 * @module inference/validate-request
 * Checks an inference request against a model's signature before any engine work: every
 * input present and known, datatypes equal, shapes compatible (-1 matches any size), batch
 * within max_batch_size and the same for every input (Triton's rule: batched inputs must not
 * broadcast against each other), requested outputs known. Messages name the tensor and what was expected.
 *
 * BYTES elements must be UTF-8 text without NUL bytes: onnxruntime-node carries string
 * tensors as JavaScript strings, so other bytes would reach the model altered (invalid
 * sequences become U+FFFD) and come back cut at the first NUL. Refusing them is better than
 * answering 200 with data the client never sent.
 */
import { isUtf8 } from 'node:buffer'
import { InvalidArgumentError } from '../core/errors.ts'
import { elementCount, type InferRequest, type Tensor } from '../core/tensor.ts'
import type { ModelSignature, TensorSpec } from '../onnx/onnx-signature.ts'

/** Returns the names of the outputs to compute, in the order to return them. */
/** Limits that protect the process from requests that fit the model but not the server. */
export interface RequestLimits {
  /** Elements of one input tensor. */
  readonly maxTensorElements?: number
  /** Bytes of one BYTES element. */
  readonly maxStringBytes?: number
}

export function validateInferRequest(
  modelName: string,
  signature: ModelSignature,
  maxBatchSize: number,
  request: InferRequest,
  limits: RequestLimits = {},
): readonly string[] {
  const { specs, outputNames } = lookupOf(signature)
  const inputs = request.inputs
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!
    const spec = specs.get(input.name)
    if (!spec) {
      throw new InvalidArgumentError(
        `unexpected input '${input.name}' for model '${modelName}'; expected inputs: ${[...specs.keys()].join(', ')}`,
      )
    }
    for (let j = 0; j < i; j++) if (inputs[j]!.name === input.name) throw new InvalidArgumentError(`input '${input.name}' is given more than once`)
    checkLimits(input, limits)
    checkTensor(input, spec, maxBatchSize)
    if (input.datatype === 'BYTES') checkText(input)
    if (maxBatchSize > 0 && i > 0 && input.shape[0] !== inputs[0]!.shape[0]) {
      throw new InvalidArgumentError(
        `input '${input.name}' has a batch of ${input.shape[0]} but input '${inputs[0]!.name}' has ${inputs[0]!.shape[0]}; every input of a batched model needs the same first dimension`,
      )
    }
  }
  // Every input given once and known: all are there exactly when the counts agree.
  if (inputs.length !== specs.size) {
    for (const name of specs.keys()) {
      if (!inputs.some((input) => input.name === name)) throw new InvalidArgumentError(`missing input '${name}' for model '${modelName}'`)
    }
  }
  if (!request.outputs || request.outputs.length === 0) return outputNames
  const names: string[] = []
  for (const output of request.outputs) {
    if (!outputNames.includes(output.name)) {
      throw new InvalidArgumentError(
        `unknown output '${output.name}' requested from model '${modelName}'; outputs: ${outputNames.join(', ')}`,
      )
    }
    if (names.includes(output.name)) throw new InvalidArgumentError(`output '${output.name}' is requested more than once`)
    names.push(output.name)
  }
  return names
}

interface SignatureLookup {
  readonly specs: ReadonlyMap<string, TensorSpec>
  readonly outputNames: readonly string[]
}

/** Built once per signature rather than per request. */
const lookups = new WeakMap<ModelSignature, SignatureLookup>()

function lookupOf(signature: ModelSignature): SignatureLookup {
  let lookup = lookups.get(signature)
  if (!lookup) {
    lookup = {
      specs: new Map(signature.inputs.map((spec) => [spec.name, spec])),
      outputNames: Object.freeze(signature.outputs.map((output) => output.name)),
    }
    lookups.set(signature, lookup)
  }
  return lookup
}

function checkLimits(input: Tensor, limits: RequestLimits): void {
  const count = elementCount(input.shape)
  if (limits.maxTensorElements !== undefined && count > limits.maxTensorElements) {
    throw new InvalidArgumentError(`input '${input.name}' has ${count} elements; this server takes at most ${limits.maxTensorElements} per tensor (--max-tensor-elements)`)
  }
  if (limits.maxStringBytes !== undefined && Array.isArray(input.data)) {
    const index = (input.data as Uint8Array[]).findIndex((element) => element.byteLength > limits.maxStringBytes!)
    if (index !== -1) {
      throw new InvalidArgumentError(`input '${input.name}' element ${index} has ${(input.data as Uint8Array[])[index]!.byteLength} bytes; this server takes at most ${limits.maxStringBytes} per BYTES element (--max-string-bytes)`)
    }
  }
}

function checkText(input: Tensor): void {
  const elements = input.data as Uint8Array[]
  for (let index = 0; index < elements.length; index++) {
    const bytes = elements[index]!
    const problem = bytes.includes(0) ? 'a NUL byte' : isUtf8(bytes) ? undefined : 'bytes that are not UTF-8'
    if (problem) {
      throw new InvalidArgumentError(
        `input '${input.name}' element ${index} holds ${problem}; BYTES elements reach ONNX Runtime as UTF-8 text, so binary data (images, protobufs) must be sent encoded, e.g. as base64`,
      )
    }
  }
}

function checkTensor(input: Tensor, spec: TensorSpec, maxBatchSize: number): void {
  if (input.datatype !== spec.datatype) {
    throw new InvalidArgumentError(`input '${input.name}' has datatype ${input.datatype}; the model expects ${spec.datatype}`)
  }
  const count = elementCount(input.shape)
  if (input.data.length !== count) {
    throw new InvalidArgumentError(
      `input '${input.name}' has shape [${input.shape.join(', ')}] (${count} elements) but ${input.data.length} data elements`,
    )
  }
  if (spec.rankUnknown) return
  const compatible =
    input.shape.length === spec.shape.length && spec.shape.every((dim, axis) => dim === -1 || dim === input.shape[axis])
  if (!compatible) {
    throw new InvalidArgumentError(
      `input '${input.name}' has shape [${input.shape.join(', ')}]; the model expects [${spec.shape.join(', ')}] (-1: any size)`,
    )
  }
  if (maxBatchSize > 0 && input.shape[0]! > maxBatchSize) {
    throw new InvalidArgumentError(
      `input '${input.name}' has a batch of ${input.shape[0]}; the model's max_batch_size is ${maxBatchSize}`,
    )
  }
}
