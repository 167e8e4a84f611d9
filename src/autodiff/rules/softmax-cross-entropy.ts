/**
 * @module autodiff/rules/softmax-cross-entropy
 * Gradient of SoftmaxCrossEntropyLoss (opset 13: scores [N, C, d…], int labels [N, d…] →
 * loss, optional log_prob) with respect to the scores: (softmax(scores) − onehot(labels))
 * times dLoss, divided by the number of labels for reduction 'mean'. The fused op and this
 * rule replace the nodes of LogSoftmax · OneHot · ReduceSum · ReduceMean and their generic
 * gradients in every training step. Class weights and ignore_index are not supported.
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { onnxElementTypeOf } from '../../onnx/onnx-datatypes.ts'
import { optionalInput, type GradientContext, type GradientRule } from '../gradient-rule.ts'

const softmaxCrossEntropy: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dLoss, dLogProb], context) {
    const [scores, labels] = node.inputs as [string, string]
    if (optionalInput(node, 2)) throw context.unsupported('class weights are not supported')
    if (node.attributes.ignore_index) throw context.unsupported('ignore_index is not supported')
    const reductionAttribute = node.attributes.reduction
    const reduction = reductionAttribute?.type === 'string' ? reductionAttribute.value : 'mean'
    const logProb = node.outputs[1] || context.op('LogSoftmax', [scores], { axis: attr.int(1) })
    const probabilities = context.op('Exp', [logProb])
    let gradient: string | undefined
    if (dLoss) {
      const residual = context.op('Sub', [probabilities, oneHot(context, scores, labels)])
      const scale = reduction === 'none' ? context.op('Unsqueeze', [dLoss, context.int64s([1])]) : reduction === 'sum' ? dLoss : perLabel(context, dLoss, labels)
      gradient = context.op('Mul', [residual, scale])
    }
    if (dLogProb) {
      // The adjoint of log_softmax along the class axis: dZ = dL − softmax · Σ_c dL.
      const total = context.op('ReduceSum', [dLogProb, context.int64s([1])], { keepdims: attr.int(1) })
      const fromLogProb = context.op('Sub', [dLogProb, context.op('Mul', [probabilities, total])])
      gradient = gradient ? context.op('Add', [gradient, fromLogProb]) : fromLogProb
    }
    return [gradient]
  },
}

/** onehot(labels) along axis 1, in the scores' element type; C read statically where known. */
function oneHot(context: GradientContext, scores: string, labels: string): string {
  const classes = context.shapeOf(scores)?.[1]
  const depth =
    classes !== undefined && classes > 0
      ? context.constant({ datatype: 'INT64', shape: [], data: BigInt64Array.of(BigInt(classes)) })
      : context.op('Gather', [context.op('Shape', [scores]), context.constant({ datatype: 'INT64', shape: [], data: BigInt64Array.of(1n) })])
  // ORT's OneHot has no FP64 kernel: build it in FP32 and cast to the scores' type.
  const values = context.constant({ datatype: 'FP32', shape: [2], data: Float32Array.of(0, 1) })
  const encoded = context.op('OneHot', [labels, depth, values], { axis: attr.int(1) })
  const datatype = context.datatypeOf(scores)
  return datatype === 'FP32' ? encoded : context.op('Cast', [encoded], { to: attr.int(onnxElementTypeOf(datatype)) })
}

/** dLoss divided by the number of labels (the 'mean' reduction's divisor). */
function perLabel(context: GradientContext, dLoss: string, labels: string): string {
  const count = context.op('Cast', [context.op('Size', [labels])], { to: attr.int(onnxElementTypeOf(context.datatypeOf(dLoss))) })
  return context.op('Div', [dLoss, count])
}

export const SOFTMAX_CROSS_ENTROPY_RULES: ReadonlyMap<string, GradientRule> = new Map([['SoftmaxCrossEntropyLoss', softmaxCrossEntropy]])
