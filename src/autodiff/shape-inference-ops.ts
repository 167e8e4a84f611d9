/**
 * @module autodiff/shape-inference-ops
 * Per-op output facts for shape inference (see shape-inference.ts). Ops not listed here give
 * unknown outputs. Opset 17 semantics: ReduceSum/Squeeze/Unsqueeze/Split read axes (split)
 * from inputs, the other reductions from attributes.
 */
import type { Datatype } from '../core/datatypes.ts'
import type { GraphNode } from '../onnx/onnx-builder.ts'
import { datatypeOfOnnx } from '../onnx/onnx-datatypes.ts'
import { windowGeometry, windowOutputSize } from './conv-geometry.ts'
import { intAttribute, intsAttribute, optionalInput } from './gradient-rule.ts'
import { broadcastShapes, normalizeAxis, staticSize, type FactsLookup, type ValueFacts } from './value-facts.ts'

type Inference = (node: GraphNode, facts: FactsLookup) => readonly (ValueFacts | undefined)[]

const SAME_AS_INPUT = ['Abs', 'Neg', 'Identity', 'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Erf', 'Sqrt', 'Elu', 'Selu', 'LeakyRelu',
  'Softmax', 'LogSoftmax', 'Clip', 'Sign', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Softplus', 'HardSigmoid']
const BROADCASTING = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'PRelu']
const COMPARISONS = ['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor']
const ATTRIBUTE_AXES_REDUCTIONS = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare']

const first = (node: GraphNode, facts: FactsLookup): ValueFacts => facts(node.inputs[0] ?? '') ?? {}
const typed = (datatype: Datatype | undefined, shape: readonly number[] | undefined, value?: readonly number[]): ValueFacts => ({
  ...(datatype ? { datatype } : {}),
  ...(shape ? { shape } : {}),
  ...(value ? { value } : {}),
})

const INFERENCES = new Map<string, Inference>()
for (const op of SAME_AS_INPUT) INFERENCES.set(op, (node, facts) => [typed(first(node, facts).datatype, first(node, facts).shape)])
for (const op of BROADCASTING) INFERENCES.set(op, (node, facts) => [broadcastOf(node.inputs, facts, first(node, facts).datatype)])
for (const op of COMPARISONS) INFERENCES.set(op, (node, facts) => [broadcastOf(node.inputs, facts, 'BOOL')])
for (const op of ATTRIBUTE_AXES_REDUCTIONS) INFERENCES.set(op, (node, facts) => [reduced(node, facts, intsAttribute(node, 'axes'))])

INFERENCES.set('Not', (node, facts) => [typed('BOOL', first(node, facts).shape)])
INFERENCES.set('Dropout', (node, facts) => [typed(first(node, facts).datatype, first(node, facts).shape), typed('BOOL', first(node, facts).shape)])
INFERENCES.set('Cast', (node, facts) => [typed(datatypeOfOnnx(intAttribute(node, 'to', 0)), first(node, facts).shape, first(node, facts).value)])
INFERENCES.set('Where', (node, facts) => [broadcastOf(node.inputs, facts, facts(node.inputs[1] ?? '')?.datatype)])
INFERENCES.set('ReduceSum', (node, facts) => [reduced(node, facts, inputValue(node, 1, facts))])
INFERENCES.set('Size', () => [typed('INT64', [])])
INFERENCES.set('SoftmaxCrossEntropyLoss', (node, facts) => {
  const reduction = node.attributes.reduction
  const perLabel = reduction?.type === 'string' && reduction.value === 'none'
  const { datatype, shape } = first(node, facts)
  return [typed(datatype, perLabel ? facts(node.inputs[1] ?? '')?.shape : []), typed(datatype, shape)]
})
INFERENCES.set('Range', (node, facts) => [typed(first(node, facts).datatype, [-1])])

INFERENCES.set('Constant', (node) => {
  const attributes = node.attributes
  const tensor = attributes.value
  if (tensor?.type === 'tensor') {
    const data = tensor.value.data
    const value = !Array.isArray(data) && data.length <= 64 ? Array.from(data as ArrayLike<number | bigint>, Number) : undefined
    return [typed(tensor.value.datatype, tensor.value.shape, value)]
  }
  const scalar = attributes.value_float ?? attributes.value_int
  if (scalar?.type === 'float' || scalar?.type === 'int') return [typed(scalar.type === 'float' ? 'FP32' : 'INT64', [], [scalar.value])]
  const list = attributes.value_floats ?? attributes.value_ints
  if (list?.type === 'floats' || list?.type === 'ints') return [typed(list.type === 'floats' ? 'FP32' : 'INT64', [list.value.length], list.value)]
  return []
})

INFERENCES.set('ConstantOfShape', (node, facts) => {
  const value = node.attributes.value
  const datatype = value?.type === 'tensor' ? value.value.datatype : 'FP32'
  const dims = inputValue(node, 0, facts)
  const length = facts(node.inputs[0] ?? '')?.shape?.[0]
  return [typed(datatype, dims ?? (length !== undefined && length >= 0 ? Array<number>(length).fill(-1) : undefined))]
})

INFERENCES.set('Shape', (node, facts) => {
  const shape = first(node, facts).shape
  if (!shape) return [typed('INT64', [-1])]
  const clamp = (axis: number) => Math.min(Math.max(normalizeAxis(axis, shape.length), 0), shape.length)
  const dims = shape.slice(clamp(intAttribute(node, 'start', 0)), clamp(intAttribute(node, 'end', shape.length)))
  return [typed('INT64', [dims.length], dims.every((dim) => dim >= 0) ? dims : undefined)]
})

INFERENCES.set('MatMul', (node, facts) => {
  const a = facts(node.inputs[0] ?? '')?.shape
  const b = facts(node.inputs[1] ?? '')?.shape
  const datatype = first(node, facts).datatype
  if (!a || !b) return [typed(datatype, undefined)]
  const a2 = a.length === 1 ? [1, a[0]!] : a
  const b2 = b.length === 1 ? [b[0]!, 1] : b
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)])
  const shape = [...batch, ...(a.length === 1 ? [] : [a2[a2.length - 2]!]), ...(b.length === 1 ? [] : [b2[b2.length - 1]!])]
  return [typed(datatype, shape)]
})

INFERENCES.set('Gemm', (node, facts) => {
  const a = facts(node.inputs[0] ?? '')?.shape
  const b = facts(node.inputs[1] ?? '')?.shape
  const m = a ? (intAttribute(node, 'transA', 0) ? a[1] : a[0]) : -1
  const n = b ? (intAttribute(node, 'transB', 0) ? b[0] : b[1]) : -1
  return [typed(first(node, facts).datatype, [m ?? -1, n ?? -1])]
})

INFERENCES.set('ArgMax', argReduction)
INFERENCES.set('ArgMin', argReduction)
INFERENCES.set('Reshape', (node, facts) => {
  const target = inputValue(node, 1, facts)
  const input = first(node, facts)
  if (!target) {
    const length = facts(node.inputs[1] ?? '')?.shape?.[0]
    return [typed(input.datatype, length !== undefined && length >= 0 ? Array<number>(length).fill(-1) : undefined)]
  }
  const allowZero = intAttribute(node, 'allowzero', 0) === 1
  // Dims copied by 0 appear on both sides and cancel out, even when dynamic.
  const copied = (axis: number) => target[axis] === 0 && !allowZero
  const known = input.shape ? staticSize(input.shape.filter((_, axis) => !copied(axis))) : -1
  const rest = staticSize(target.filter((dim, axis) => dim !== -1 && !copied(axis)))
  const inferredDim = known >= 0 && rest > 0 ? known / rest : -1
  const dims = target.map((dim, axis) => (copied(axis) ? (input.shape?.[axis] ?? -1) : dim === -1 ? inferredDim : dim))
  return [typed(input.datatype, dims, input.value)]
})

INFERENCES.set('Flatten', (node, facts) => {
  const input = first(node, facts)
  if (!input.shape) return [typed(input.datatype, [-1, -1])]
  const axis = normalizeAxis(intAttribute(node, 'axis', 1), input.shape.length)
  return [typed(input.datatype, [staticSize(input.shape.slice(0, axis)), staticSize(input.shape.slice(axis))])]
})

INFERENCES.set('Squeeze', (node, facts) => {
  const input = first(node, facts)
  const axes = inputValue(node, 1, facts)
  if (!input.shape || (!axes && optionalInput(node, 1))) return [typed(input.datatype, undefined)]
  const rank = input.shape.length
  const drop = axes ? axes.map((axis) => normalizeAxis(axis, rank)) : input.shape.flatMap((dim, axis) => (dim === 1 ? [axis] : []))
  if (!axes && input.shape.includes(-1)) return [typed(input.datatype, undefined)]
  return [typed(input.datatype, input.shape.filter((_, axis) => !drop.includes(axis)), input.value)]
})

INFERENCES.set('Unsqueeze', (node, facts) => {
  const input = first(node, facts)
  const axes = inputValue(node, 1, facts)
  if (!input.shape || !axes) return [typed(input.datatype, undefined)]
  const rank = input.shape.length + axes.length
  const inserted = axes.map((axis) => normalizeAxis(axis, rank))
  const rest = [...input.shape]
  const shape = Array.from({ length: rank }, (_, axis) => (inserted.includes(axis) ? 1 : rest.shift()!))
  return [typed(input.datatype, shape, input.value)]
})

INFERENCES.set('Transpose', (node, facts) => {
  const input = first(node, facts)
  if (!input.shape) return [typed(input.datatype, undefined)]
  const perm = intsAttribute(node, 'perm') ?? input.shape.map((_, axis) => input.shape!.length - 1 - axis)
  return [typed(input.datatype, perm.map((axis) => input.shape![axis]!))]
})

INFERENCES.set('Concat', (node, facts) => {
  const inputs = node.inputs.map((name) => facts(name) ?? {})
  const shapes = inputs.map((input) => input.shape)
  const datatype = inputs[0]?.datatype
  if (shapes.some((shape) => !shape)) return [typed(datatype, undefined)]
  const known = shapes as (readonly number[])[]
  const rank = known[0]!.length
  const axis = normalizeAxis(intAttribute(node, 'axis', 0), rank)
  const shape = known[0]!.map((dim, index) =>
    index === axis ? staticSize(known.map((s) => s[axis]!)) === -1 ? -1 : known.reduce((sum, s) => sum + s[axis]!, 0) : Math.max(dim, ...known.map((s) => s[index]!)))
  const values = inputs.every((input) => input.value) ? inputs.flatMap((input) => input.value!) : undefined
  return [typed(datatype, shape, rank === 1 ? values : undefined)]
})

INFERENCES.set('Split', (node, facts) => {
  const input = first(node, facts)
  if (!input.shape) return node.outputs.map(() => typed(input.datatype, undefined))
  const axis = normalizeAxis(intAttribute(node, 'axis', 0), input.shape.length)
  const total = input.shape[axis]!
  const sizes = inputValue(node, 1, facts) ?? node.outputs.map(() => (total < 0 ? -1 : Math.ceil(total / node.outputs.length)))
  return sizes.map((size, index) => {
    const last = index === node.outputs.length - 1 && !optionalInput(node, 1) && total >= 0
    const dim = last ? total - size * (node.outputs.length - 1) : size
    return typed(input.datatype, input.shape!.map((d, a) => (a === axis ? dim : d)))
  })
})

INFERENCES.set('Expand', (node, facts) => {
  const input = first(node, facts)
  const target = inputValue(node, 1, facts)
  if (!input.shape || !target) return [typed(input.datatype, undefined)]
  return [typed(input.datatype, broadcastShapes([input.shape, target]))]
})

INFERENCES.set('Gather', (node, facts) => {
  const data = first(node, facts)
  const indices = facts(node.inputs[1] ?? '')?.shape
  if (!data.shape || !indices) return [typed(data.datatype, undefined)]
  const axis = normalizeAxis(intAttribute(node, 'axis', 0), data.shape.length)
  return [typed(data.datatype, [...data.shape.slice(0, axis), ...indices, ...data.shape.slice(axis + 1)])]
})

INFERENCES.set('OneHot', (node, facts) => {
  const indices = first(node, facts).shape
  const depth = inputValue(node, 1, facts)?.[0] ?? -1
  const datatype = facts(node.inputs[2] ?? '')?.datatype
  if (!indices) return [typed(datatype, undefined)]
  const axis = normalizeAxis(intAttribute(node, 'axis', -1), indices.length + 1)
  return [typed(datatype, [...indices.slice(0, axis), depth, ...indices.slice(axis)])]
})

INFERENCES.set('Conv', (node, facts) => {
  const x = first(node, facts)
  const w = facts(node.inputs[1] ?? '')?.shape
  const kernel = intsAttribute(node, 'kernel_shape') ?? w?.slice(2)
  if (!x.shape || !kernel) return [typed(x.datatype, undefined)]
  return [typed(x.datatype, [x.shape[0]!, w?.[0] ?? -1, ...windowSizes(node, kernel, x.shape)])]
})

INFERENCES.set('MaxPool', pooled)
INFERENCES.set('AveragePool', pooled)
INFERENCES.set('GlobalAveragePool', globalPooled)
INFERENCES.set('GlobalMaxPool', globalPooled)
INFERENCES.set('BatchNormalization', (node, facts) => {
  const x = first(node, facts)
  return [typed(x.datatype, x.shape), facts(node.inputs[3] ?? ''), facts(node.inputs[4] ?? '')]
})
INFERENCES.set('LayerNormalization', (node, facts) => {
  const x = first(node, facts)
  if (!x.shape) return [typed(x.datatype, undefined)]
  const axis = normalizeAxis(intAttribute(node, 'axis', -1), x.shape.length)
  const stats = [...x.shape.slice(0, axis), ...x.shape.slice(axis).map(() => 1)]
  const statsType = intAttribute(node, 'stash_type', 1) === 1 ? 'FP32' : x.datatype
  return [typed(x.datatype, x.shape), typed(statsType, stats), typed(statsType, stats)]
})

/** Output facts of one node (one entry per output; undefined where unknown). */
export function inferNodeFacts(node: GraphNode, facts: FactsLookup): readonly (ValueFacts | undefined)[] {
  if (node.domain && node.domain !== 'ai.onnx') return []
  return INFERENCES.get(node.opType)?.(node, facts) ?? []
}

function inputValue(node: GraphNode, index: number, facts: FactsLookup): readonly number[] | undefined {
  const name = optionalInput(node, index)
  return name === undefined ? undefined : facts(name)?.value
}

function broadcastOf(inputs: readonly string[], facts: FactsLookup, datatype: Datatype | undefined): ValueFacts {
  const shapes = inputs.filter((name) => name !== '').map((name) => facts(name)?.shape)
  return typed(datatype, shapes.every((shape) => shape) ? broadcastShapes(shapes as number[][]) : undefined)
}

function reduced(node: GraphNode, facts: FactsLookup, axes: readonly number[] | undefined): ValueFacts {
  const input = first(node, facts)
  const keep = intAttribute(node, 'keepdims', 1) === 1
  if (!input.shape || (axes === undefined && optionalInput(node, 1) && node.opType === 'ReduceSum')) return typed(input.datatype, undefined)
  const rank = input.shape.length
  if (axes?.length === 0 && intAttribute(node, 'noop_with_empty_axes', 0) === 1) return typed(input.datatype, input.shape)
  const all = axes === undefined || axes.length === 0
  const reducedAxes = all ? input.shape.map((_, axis) => axis) : axes.map((axis) => normalizeAxis(axis, rank))
  const shape = input.shape.flatMap((dim, axis) => (reducedAxes.includes(axis) ? (keep ? [1] : []) : [dim]))
  return typed(input.datatype, shape)
}

function argReduction(node: GraphNode, facts: FactsLookup): ValueFacts[] {
  const input = first(node, facts)
  if (!input.shape) return [typed('INT64', undefined)]
  const axis = normalizeAxis(intAttribute(node, 'axis', 0), input.shape.length)
  const keep = intAttribute(node, 'keepdims', 1) === 1
  return [typed('INT64', input.shape.flatMap((dim, index) => (index === axis ? (keep ? [1] : []) : [dim])))]
}

function windowSizes(node: GraphNode, kernel: readonly number[], shape: readonly number[]): number[] {
  const spatial = shape.slice(2)
  const geometry = windowGeometry(node, kernel, spatial)
  return spatial.map((size, axis) => windowOutputSize(geometry, axis, size))
}

function pooled(node: GraphNode, facts: FactsLookup): ValueFacts[] {
  const x = first(node, facts)
  const kernel = intsAttribute(node, 'kernel_shape')
  const shape = x.shape && kernel ? [x.shape[0]!, x.shape[1]!, ...windowSizes(node, kernel, x.shape)] : undefined
  return [typed(x.datatype, shape), typed('INT64', shape)]
}

function globalPooled(node: GraphNode, facts: FactsLookup): ValueFacts[] {
  const x = first(node, facts)
  return [typed(x.datatype, x.shape?.map((dim, axis) => (axis < 2 ? dim : 1)))]
}
