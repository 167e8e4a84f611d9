/**
 * @module autodiff/rules/dropout
 * Gradient of Dropout (opset 13+: data, ratio, training_mode → output, mask):
 * dX = dY · mask / (1 − ratio) in training mode, dX = dY otherwise. The mask must be an
 * output of the forward node (re-running Dropout would draw a different mask).
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { onnxElementTypeOf } from '../../onnx/onnx-datatypes.ts'
import { optionalInput, type GradientRule } from '../gradient-rule.ts'

const DEFAULT_RATIO = 0.5

const dropout: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const training = optionalInput(node, 2)
    const known = training === undefined ? [0] : context.constantValue(training)
    if (known?.[0] === 0) return [dy]
    const mask = node.outputs[1]
    if (!mask) throw context.unsupported("training-mode Dropout needs its mask output: build the node with outputs [output, mask]")
    const type = { to: attr.int(onnxElementTypeOf(context.datatypeOf(dy!))) }
    const ratioInput = optionalInput(node, 1)
    const ratio = ratioInput ? context.op('Cast', [ratioInput], type) : context.scalar(DEFAULT_RATIO, dy!)
    const one = context.scalar(1, dy!)
    let scale = context.op('Div', [one, context.op('Sub', [one, ratio])])
    // A training_mode fed at run time: inference mode passes dY through (its mask is all ones).
    if (!known) scale = context.op('Where', [training!, scale, one])
    return [context.op('Mul', [context.op('Mul', [dy!, context.op('Cast', [mask], type)]), scale])]
  },
}

export const DROPOUT_RULES: ReadonlyMap<string, GradientRule> = new Map([['Dropout', dropout]])
