/**
 * @module nn/layers/channels-first
 * Runs an NCHW-only ONNX op (Conv, MaxPool, AveragePool) on an NHWC tensor: Transpose in,
 * op, Transpose out. Adjacent pairs between consecutive conv/pool layers cancel in ORT's
 * transpose optimiser (already at level 'basic'; checked on the seed CNN), so a conv stack
 * pays for one transpose at each end.
 */
import { attr, type Attribute } from '../../onnx/onnx-builder.ts'
import type { EmitContext } from '../emit-context.ts'
import { samePadding, type Padding, type Shape } from '../shape.ts'

/** NHWC → NCHW. */
export const TO_CHANNELS_FIRST = [0, 3, 1, 2] as const
/** NCHW → NHWC. */
export const TO_CHANNELS_LAST = [0, 2, 3, 1] as const

/** Transposes `x` (NHWC) to NCHW, applies `inner`, transposes the result back to NHWC. */
export function emitChannelsFirst(ctx: EmitContext, x: string, inner: (nchw: string) => string): string {
  const nchw = ctx.op('Transpose', [x], { perm: attr.ints(TO_CHANNELS_FIRST) })
  return ctx.op('Transpose', [inner(nchw)], { perm: attr.ints(TO_CHANNELS_LAST) })
}

/**
 * ONNX padding attributes for TensorFlow's 'valid'/'same' on a 2-D window: explicit `pads`
 * ([top, left, bottom, right], odd extra at the end) when height and width are static,
 * else auto_pad SAME_UPPER, which is the same rule.
 */
export function windowPadding(padding: Padding, spatial: Shape, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): Record<string, Attribute> {
  if (padding === 'valid') return { pads: attr.ints([0, 0, 0, 0]) }
  if (spatial[0]! < 0 || spatial[1]! < 0) return { auto_pad: attr.string('SAME_UPPER') }
  const [top, bottom] = samePadding(spatial[0]!, kernel[0]!, strides[0]!, dilations[0]!)
  const [left, right] = samePadding(spatial[1]!, kernel[1]!, strides[1]!, dilations[1]!)
  return { pads: attr.ints([top, left, bottom, right]) }
}
