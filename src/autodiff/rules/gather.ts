/**
 * @module autodiff/rules/gather
 * Gradient of Gather (embedding lookup) with respect to its data: the rows of dY are added
 * into zeros of data's shape at the gathered indices (ScatterND with reduction 'add', opset
 * 16+, so repeated indices accumulate). Indices get no gradient.
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { intAttribute, type GradientRule } from '../gradient-rule.ts'
import { normalizeAxis } from '../value-facts.ts'

const gather: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const [data, indices] = node.inputs as [string, string]
    const dataRank = context.rankOf(data)
    const indicesRank = context.rankOf(indices)
    if (dataRank === undefined || indicesRank === undefined) throw context.unsupported('the ranks of data and indices must be known')
    const axis = normalizeAxis(intAttribute(node, 'axis', 0), dataRank)
    // ScatterND wants INT64 indices in range; Gather also accepts negative ones.
    const asInt64 = context.datatypeOf(indices) === 'INT64' ? indices : context.op('Cast', [indices], { to: attr.int(7) })
    const size = context.op('Gather', [context.op('Shape', [data]), context.constant({ datatype: 'INT64', shape: [], data: BigInt64Array.of(BigInt(axis)) })])
    const zero = context.constant({ datatype: 'INT64', shape: [], data: BigInt64Array.of(0n) })
    const wrapped = context.op('Where', [context.op('Less', [asInt64, zero]), context.op('Add', [asInt64, size]), asInt64])
    const positions = context.op('Unsqueeze', [wrapped, context.int64s([-1])])
    // Move the gathered axis to the front so that ScatterND addresses whole slices along it.
    const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i)
    const dataPerm = [axis, ...range(0, axis), ...range(axis + 1, dataRank)]
    const updatesPerm = [...range(axis, axis + indicesRank), ...range(0, axis), ...range(axis + indicesRank, dataRank - 1 + indicesRank)]
    const moved = axis === 0 ? dy! : context.op('Transpose', [dy!], { perm: attr.ints(updatesPerm) })
    const zeros = context.zerosLike(data)
    const base = axis === 0 ? zeros : context.op('Transpose', [zeros], { perm: attr.ints(dataPerm) })
    const scattered = context.op('ScatterND', [base, positions, moved], { reduction: attr.string('add') })
    if (axis === 0) return [scattered]
    const inverse = dataPerm.map((_, index) => dataPerm.indexOf(index))
    return [context.op('Transpose', [scattered], { perm: attr.ints(inverse) })]
  },
}

export const GATHER_RULES: ReadonlyMap<string, GradientRule> = new Map([['Gather', gather]])
