/**
 * @module nn/activations
 * Keras activation functions as ONNX subgraphs built from the ops the autodiff supports:
 * gelu is the exact erf form (Keras' default, approximate=False), swish is x·sigmoid(x),
 * leaky_relu uses Keras 3's slope 0.2 (the LeakyReLU layer has its own alpha).
 */
import { attr } from '../onnx/onnx-builder.ts'
import { ConfigReader, toSnakeCase } from './config-reader.ts'
import type { EmitContext } from './emit-context.ts'

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'swish', 'leaky_relu'] as const

export type ActivationName = (typeof ACTIVATIONS)[number]

const ALIASES: Readonly<Record<string, ActivationName>> = { silu: 'swish', leakyrelu: 'leaky_relu' }

/** Reads `key` as an activation name (null → linear; camelCase TF.js names accepted). */
export function parseActivation(reader: ConfigReader, key = 'activation', fallback: ActivationName = 'linear'): ActivationName {
  return reader.oneOf(key, ACTIVATIONS, fallback, (text) => ALIASES[toSnakeCase(text)] ?? toSnakeCase(text))
}

/** Activations a trainer may fuse into its loss (softmax → log-softmax cross-entropy, sigmoid → logistic loss). */
export function isFusableOutputActivation(activation: ActivationName): boolean {
  return activation === 'softmax' || activation === 'sigmoid'
}

/** Applies `activation` to `x` (axis -1 for softmax); returns the result's value name. */
export function emitActivation(ctx: EmitContext, x: string, activation: ActivationName): string {
  if (ctx.omitOutputActivation && isFusableOutputActivation(activation)) {
    ctx.omitActivation(activation)
    return x
  }
  switch (activation) {
    case 'linear':
      return x
    case 'relu':
      return ctx.op('Relu', [x])
    case 'relu6':
      return ctx.op('Clip', [x, ctx.constant([0], []), ctx.constant([6], [])])
    case 'sigmoid':
      return ctx.op('Sigmoid', [x])
    case 'tanh':
      return ctx.op('Tanh', [x])
    case 'softmax':
      return ctx.op('Softmax', [x], { axis: attr.int(-1) })
    case 'elu':
      return ctx.op('Elu', [x], { alpha: attr.float(1) })
    case 'selu':
      return ctx.op('Selu', [x])
    case 'leaky_relu':
      return emitLeakyRelu(ctx, x, 0.2)
    case 'swish':
      return ctx.op('Mul', [x, ctx.op('Sigmoid', [x])])
    case 'gelu': {
      const erf = ctx.op('Erf', [ctx.op('Mul', [x, ctx.constant([Math.SQRT1_2], [])])])
      const half = ctx.op('Mul', [x, ctx.constant([0.5], [])])
      return ctx.op('Mul', [half, ctx.op('Add', [erf, ctx.constant([1], [])])])
    }
  }
}

export function emitLeakyRelu(ctx: EmitContext, x: string, alpha: number): string {
  return ctx.op('LeakyRelu', [x], { alpha: attr.float(alpha) })
}
