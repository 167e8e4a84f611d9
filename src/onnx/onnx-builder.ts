/**
 * @module onnx/onnx-builder
 * A small typed builder for ONNX graphs: inputs, outputs, initializers, nodes with typed
 * attributes, metadata_props. Emits ModelProto bytes through the vendored schema. Used for
 * the demo model, the test fixtures and, later, the graph compiler.
 */
import type { Datatype } from '../core/datatypes.ts'
import type { TensorData } from '../core/tensor.ts'
import { onnxElementTypeOf } from './onnx-datatypes.ts'
import { ModelProto, OnnxAttributeType } from './onnx-proto.ts'

/** IR 8 / opset 17: accepted by onnxruntime-node and by Debian's onnx 1.12 checker. */
export const DEFAULT_IR_VERSION = 8
export const DEFAULT_OPSET = 17

/** A node attribute with its ONNX type made explicit (1 and 1.0 are different attributes). */
export type Attribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'tensor'; readonly value: ConstantTensor }
  | { readonly type: 'graph'; readonly value: GraphBuilder }

export const attr = {
  float: (value: number): Attribute => ({ type: 'float', value }),
  int: (value: number): Attribute => ({ type: 'int', value }),
  string: (value: string): Attribute => ({ type: 'string', value }),
  floats: (value: readonly number[]): Attribute => ({ type: 'floats', value }),
  ints: (value: readonly number[]): Attribute => ({ type: 'ints', value }),
  tensor: (value: ConstantTensor): Attribute => ({ type: 'tensor', value }),
  /** A subgraph, e.g. the body of a Loop. */
  graph: (value: GraphBuilder): Attribute => ({ type: 'graph', value }),
}

/** A tensor with values, for initializers and Constant nodes. */
export interface ConstantTensor {
  readonly datatype: Datatype
  readonly shape: readonly number[]
  readonly data: TensorData
}

/** A graph input, output or intermediate value with its type. */
export interface ValueInfo {
  readonly name: string
  readonly datatype: Datatype
  /** -1 or a string marks a dynamic dimension. */
  readonly shape: readonly (number | string)[]
}

/** A node as the builder holds it; graph passes (autodiff, export) read these. */
export interface GraphNode {
  readonly opType: string
  readonly inputs: readonly string[]
  readonly outputs: readonly string[]
  readonly attributes: Readonly<Record<string, Attribute>>
  readonly domain?: string
}

/** An initializer: a named constant stored in the model. */
export interface NamedConstant extends ConstantTensor {
  readonly name: string
}

export interface BuildOptions {
  readonly irVersion?: number
  readonly opset?: number
  readonly producerName?: string
  readonly producerVersion?: string
  readonly metadata?: Readonly<Record<string, string>>
}

/** Accumulates a graph; `toBytes()` serialises it as a ModelProto. */
export class GraphBuilder {
  readonly #inputs: ValueInfo[] = []
  readonly #outputs: ValueInfo[] = []
  readonly #initializers: NamedConstant[] = []
  readonly #nodes: GraphNode[] = []
  readonly #valueInfo = new Map<string, ValueInfo>()
  readonly #names = new Set<string>()
  #counter = 0

  constructor(readonly name: string) {}

  /** Nodes in the order they were added (a topological order, as ONNX requires). */
  get nodes(): readonly GraphNode[] {
    return this.#nodes
  }

  get inputs(): readonly ValueInfo[] {
    return this.#inputs
  }

  get outputs(): readonly ValueInfo[] {
    return this.#outputs
  }

  get initializers(): readonly NamedConstant[] {
    return this.#initializers
  }

  /** Records the type of an intermediate value (written to graph.value_info, read by graph passes). */
  valueInfo(name: string, datatype: Datatype, shape: readonly (number | string)[]): string {
    this.#valueInfo.set(name, { name, datatype, shape })
    return name
  }

  /** The known type of a value: graph input, output, initializer or recorded intermediate. */
  typeOf(name: string): ValueInfo | undefined {
    const initializer = this.#initializers.find((tensor) => tensor.name === name)
    if (initializer) return { name, datatype: initializer.datatype, shape: initializer.shape }
    return this.#valueInfo.get(name) ?? this.#inputs.find((info) => info.name === name) ?? this.#outputs.find((info) => info.name === name)
  }

  /** A value name not used so far in this graph, starting with `prefix`. */
  uniqueName(prefix: string): string {
    let name = prefix
    while (this.#names.has(name)) name = `${prefix}_${this.#counter++}`
    this.#names.add(name)
    return name
  }

  input(name: string, datatype: Datatype, shape: readonly (number | string)[]): string {
    this.#inputs.push({ name, datatype, shape })
    this.#names.add(name)
    return name
  }

  /**
   * Reorders the graph inputs to `names` (a permutation of the current inputs): a Loop body's
   * inputs are positional, whatever order its emitters declared them in.
   */
  orderInputs(names: readonly string[]): void {
    const byName = new Map(this.#inputs.map((info) => [info.name, info]))
    if (names.length !== byName.size || names.some((name) => !byName.has(name)) || new Set(names).size !== names.length) {
      throw new Error(`orderInputs needs a permutation of the inputs of graph '${this.name}': ${[...byName.keys()].join(', ')}`)
    }
    this.#inputs.splice(0, this.#inputs.length, ...names.map((name) => byName.get(name)!))
  }

  output(name: string, datatype: Datatype, shape: readonly (number | string)[]): string {
    this.#outputs.push({ name, datatype, shape })
    return name
  }

  initializer(name: string, tensor: ConstantTensor): string {
    this.#initializers.push({ name, ...tensor })
    this.#names.add(name)
    return name
  }

  /** Replaces the value of an existing initializer (e.g. trained weights before export). */
  setInitializer(name: string, tensor: ConstantTensor): void {
    const index = this.#initializers.findIndex((candidate) => candidate.name === name)
    if (index === -1) throw new Error(`graph '${this.name}' has no initializer '${name}'`)
    this.#initializers[index] = { name, ...tensor }
  }

  /** Adds a node; returns its outputs (generated names where none are given). */
  node(
    opType: string,
    inputs: readonly string[],
    options: { outputs?: readonly string[] | number; attributes?: Record<string, Attribute>; domain?: string } = {},
  ): string[] {
    const outputs =
      typeof options.outputs === 'object'
        ? [...options.outputs]
        : Array.from({ length: options.outputs ?? 1 }, () => this.uniqueName(`${opType.toLowerCase()}_${this.#counter++}`))
    for (const output of outputs) this.#names.add(output)
    this.#nodes.push({ opType, inputs: [...inputs], outputs, attributes: options.attributes ?? {}, ...(options.domain ? { domain: options.domain } : {}) })
    return outputs
  }

  toBytes(options: BuildOptions = {}): Uint8Array {
    const model = {
      irVersion: options.irVersion ?? DEFAULT_IR_VERSION,
      producerName: options.producerName ?? 'maas',
      producerVersion: options.producerVersion ?? '0.1.0',
      opsetImport: [{ domain: '', version: options.opset ?? DEFAULT_OPSET }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: this.toGraphObject(),
    }
    return ModelProto.encode(ModelProto.fromObject(model)).finish()
  }

  /** The graph as a GraphProto-shaped object, also used for subgraph attributes (Loop bodies). */
  toGraphObject(): object {
    return {
      name: this.name,
      input: this.#inputs.map(encodeValueInfo),
      output: this.#outputs.map(encodeValueInfo),
      initializer: this.#initializers.map((tensor) => encodeTensor(tensor.name, tensor)),
      valueInfo: [...this.#valueInfo.values()].map(encodeValueInfo),
      node: this.#nodes.map((node, index) => ({
        name: `${node.opType}_${index}`,
        opType: node.opType,
        domain: node.domain ?? '',
        input: node.inputs,
        output: node.outputs,
        attribute: Object.entries(node.attributes).map(([name, attribute]) => encodeAttribute(name, attribute)),
      })),
    }
  }
}

function encodeValueInfo(info: ValueInfo) {
  return {
    name: info.name,
    type: {
      tensorType: {
        elemType: onnxElementTypeOf(info.datatype),
        shape: {
          // A shared dim_param would tell ORT that two dimensions are equal: name each one apart.
          dim: info.shape.map((dim, axis) =>
            typeof dim === 'string' ? { dimParam: dim } : dim < 0 ? { dimParam: `${info.name}_dim${axis}` } : { dimValue: dim },
          ),
        },
      },
    },
  }
}

/** Encodes a constant as a TensorProto object; numeric data goes to raw_data (little endian). */
export function encodeTensor(name: string, tensor: ConstantTensor) {
  const base = { name, dataType: onnxElementTypeOf(tensor.datatype), dims: [...tensor.shape] }
  if (Array.isArray(tensor.data)) return { ...base, stringData: tensor.data }
  const view = tensor.data as Exclude<TensorData, Uint8Array[]>
  return { ...base, rawData: new Uint8Array(view.buffer, view.byteOffset, view.byteLength) }
}

function encodeAttribute(name: string, attribute: Attribute) {
  switch (attribute.type) {
    case 'float':
      return { name, type: OnnxAttributeType.FLOAT, f: attribute.value }
    case 'int':
      return { name, type: OnnxAttributeType.INT, i: attribute.value }
    case 'string':
      return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(attribute.value) }
    case 'floats':
      return { name, type: OnnxAttributeType.FLOATS, floats: attribute.value }
    case 'ints':
      return { name, type: OnnxAttributeType.INTS, ints: attribute.value }
    case 'tensor':
      return { name, type: OnnxAttributeType.TENSOR, t: encodeTensor(name, attribute.value) }
    case 'graph':
      return { name, type: OnnxAttributeType.GRAPH, g: attribute.value.toGraphObject() }
  }
}
