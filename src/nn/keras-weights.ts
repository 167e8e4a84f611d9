/**
 * @module nn/keras-weights
 * Conversion between maas' stored weight layouts and Keras'. Kernels are stored the way
 * ONNX Conv consumes them ([out, in, kh, kw]; depthwise [in·multiplier, 1, kh, kw]) so
 * training and serving graphs feed them directly; Keras/TF.js weights ([kh, kw, in, out];
 * depthwise [kh, kw, in, multiplier]) are converted once, here, on import and export.
 * Every other weight has the same layout in both.
 */
import type { WeightLayout } from './layer.ts'

/** The layout facts of one weight. */
export interface LayoutOf {
  readonly layout: WeightLayout
  /** Stored (ONNX) shape. */
  readonly shape: readonly number[]
}

/**
 * Stored → Keras. A depthwise kernel [C·M, 1, kh, kw] is a conv kernel with in = 1 and
 * out = C·M, and Keras' [kh, kw, C, M] flattens like [kh, kw, 1, C·M], so one permutation serves both.
 */
export function toKerasLayout(weight: LayoutOf, data: Float32Array): Float32Array {
  if (weight.layout === 'keras') return data.slice()
  const [outs, ins, kh, kw] = weight.shape as [number, number, number, number]
  const keras = new Float32Array(data.length)
  for (let o = 0; o < outs; o++)
    for (let i = 0; i < ins; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) keras[((y * kw + x) * ins + i) * outs + o] = data[((o * ins + i) * kh + y) * kw + x]!
  return keras
}

/** Keras → stored; the inverse of toKerasLayout. */
export function fromKerasLayout(weight: LayoutOf, keras: Float32Array): Float32Array {
  if (weight.layout === 'keras') return keras.slice()
  const [outs, ins, kh, kw] = weight.shape as [number, number, number, number]
  const data = new Float32Array(keras.length)
  for (let o = 0; o < outs; o++)
    for (let i = 0; i < ins; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) data[((o * ins + i) * kh + y) * kw + x] = keras[((y * kw + x) * ins + i) * outs + o]!
  return data
}
