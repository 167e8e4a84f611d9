/**
 * @module nn/nn-testing
 * Test support: plain TypeScript reference implementations of the layers, written from
 * Keras' definitions in NHWC with Keras weight layouts (so they check layouts too), and a
 * one-call ORT runner for emitted graphs.
 */
import ort from 'onnxruntime-node'

/** A dense float tensor. */
export interface Tensor {
  readonly shape: readonly number[]
  readonly data: Float32Array
}

type FeedData = Float32Array | Int32Array | BigInt64Array | Uint8Array

function ortTypeOf(data: FeedData): 'float32' | 'int32' | 'int64' | 'bool' {
  return data instanceof BigInt64Array ? 'int64' : data instanceof Int32Array ? 'int32' : data instanceof Uint8Array ? 'bool' : 'float32'
}

/** Runs ONNX bytes on feeds (typed array picks the ORT type; Uint8Array is BOOL); returns every output. */
export async function runOnnx(bytes: Uint8Array, feeds: Record<string, { shape: readonly number[]; data: FeedData }>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 })
  try {
    const ortFeeds = Object.fromEntries(
      Object.entries(feeds).map(([name, { shape, data }]) => [name, new ort.Tensor(ortTypeOf(data) as 'float32', data as Float32Array, [...shape])]),
    )
    const results = await session.run(ortFeeds)
    return Object.fromEntries(Object.entries(results).map(([name, value]) => [name, { shape: [...value.dims], data: value.data as Float32Array }]))
  } finally {
    await session.release()
  }
}

/** Deterministic test values in [-1, 1). */
export function testValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count)
  let state = seed >>> 0
  for (let index = 0; index < count; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    values[index] = (state / 4294967296) * 2 - 1
  }
  return values
}

/** x [n, in] · kernel [in, out] + bias. */
export function denseReference(x: Tensor, kernel: Tensor, bias: Float32Array): Tensor {
  const [n, inputs] = x.shape as [number, number]
  const outputs = kernel.shape[1]!
  const data = new Float32Array(n * outputs)
  for (let row = 0; row < n; row++)
    for (let out = 0; out < outputs; out++) {
      let sum = bias[out]!
      for (let i = 0; i < inputs; i++) sum += x.data[row * inputs + i]! * kernel.data[i * outputs + out]!
      data[row * outputs + out] = sum
    }
  return { shape: [n, outputs], data }
}

export interface WindowOptions {
  readonly strides: readonly [number, number]
  readonly padding: 'valid' | 'same'
  readonly dilation?: readonly [number, number]
}

/** Output size and begin padding of TensorFlow's rule along one axis. */
function axisGeometry(length: number, kernel: number, stride: number, dilation: number, padding: 'valid' | 'same'): [number, number] {
  const extent = (kernel - 1) * dilation + 1
  if (padding === 'valid') return [Math.floor((length - extent) / stride) + 1, 0]
  const out = Math.ceil(length / stride)
  return [out, Math.floor(Math.max((out - 1) * stride + extent - length, 0) / 2)]
}

/**
 * Keras Conv2D on NHWC with a Keras kernel [kh, kw, in, out]; `groups` = in gives
 * DepthwiseConv2D with kernel [kh, kw, in, multiplier] (output channel c·multiplier + m).
 */
export function conv2dReference(x: Tensor, kernel: Tensor, bias: Float32Array, options: WindowOptions & { readonly depthwise?: boolean }): Tensor {
  const [n, height, width, channels] = x.shape as [number, number, number, number]
  const [kh, kw, kin, kout] = kernel.shape as [number, number, number, number]
  const [dy, dx] = options.dilation ?? [1, 1]
  const [outH, padTop] = axisGeometry(height, kh, options.strides[0], dy, options.padding)
  const [outW, padLeft] = axisGeometry(width, kw, options.strides[1], dx, options.padding)
  const outC = options.depthwise ? channels * kout : kout
  const data = new Float32Array(n * outH * outW * outC)
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let oc = 0; oc < outC; oc++) {
          let sum = bias[oc]!
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const iy = oy * options.strides[0] + ky * dy - padTop
              const ix = ox * options.strides[1] + kx * dx - padLeft
              if (iy < 0 || ix < 0 || iy >= height || ix >= width) continue
              const base = ((b * height + iy) * width + ix) * channels
              if (options.depthwise) {
                const c = Math.floor(oc / kout)
                sum += x.data[base + c]! * kernel.data[((ky * kw + kx) * kin + c) * kout + (oc % kout)]!
              } else {
                for (let c = 0; c < channels; c++) sum += x.data[base + c]! * kernel.data[((ky * kw + kx) * kin + c) * kout + oc]!
              }
            }
          data[((b * outH + oy) * outW + ox) * outC + oc] = sum
        }
  return { shape: [n, outH, outW, outC], data }
}

/** Keras Max/AveragePooling2D on NHWC ('same' averages exclude padding, as TensorFlow). */
export function poolReference(x: Tensor, kind: 'max' | 'avg', pool: readonly [number, number], options: WindowOptions): Tensor {
  const [n, height, width, channels] = x.shape as [number, number, number, number]
  const [outH, padTop] = axisGeometry(height, pool[0], options.strides[0], 1, options.padding)
  const [outW, padLeft] = axisGeometry(width, pool[1], options.strides[1], 1, options.padding)
  const data = new Float32Array(n * outH * outW * channels)
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let c = 0; c < channels; c++) {
          let result = kind === 'max' ? -Infinity : 0
          let count = 0
          for (let ky = 0; ky < pool[0]; ky++)
            for (let kx = 0; kx < pool[1]; kx++) {
              const iy = oy * options.strides[0] + ky - padTop
              const ix = ox * options.strides[1] + kx - padLeft
              if (iy < 0 || ix < 0 || iy >= height || ix >= width) continue
              const value = x.data[((b * height + iy) * width + ix) * channels + c]!
              result = kind === 'max' ? Math.max(result, value) : result + value
              count++
            }
          data[((b * outH + oy) * outW + ox) * channels + c] = kind === 'max' ? result : result / count
        }
  return { shape: [n, outH, outW, channels], data }
}

/** Normalises groups of `size` consecutive values (the last axis): (x - mean) / sqrt(var + eps) · gamma + beta, with the group's or given statistics. */
export function normalizeReference(x: Float32Array, size: number, gamma: Float32Array, beta: Float32Array, epsilon: number, stats?: { mean: Float32Array; variance: Float32Array }): Float32Array {
  const out = new Float32Array(x.length)
  for (let start = 0; start < x.length; start += size) {
    const group = x.subarray(start, start + size)
    const mean = group.reduce((sum, value) => sum + value, 0) / size
    const variance = group.reduce((sum, value) => sum + (value - mean) ** 2, 0) / size
    for (let i = 0; i < size; i++) {
      const m = stats ? stats.mean[i]! : mean
      const v = stats ? stats.variance[i]! : variance
      out[start + i] = ((group[i]! - m) / Math.sqrt(v + epsilon)) * gamma[i]! + beta[i]!
    }
  }
  return out
}

/** Keras' exact gelu. */
export function geluReference(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2))
}

/** erf by Abramowitz-Stegun 7.1.26 refined with a series for small |x| (error < 1e-7). */
export function erf(x: number): number {
  if (Math.abs(x) < 2) {
    let term = x
    let sum = x
    for (let n = 1; n < 60; n++) {
      term *= (-x * x) / n
      sum += term / (2 * n + 1)
    }
    return (2 / Math.sqrt(Math.PI)) * sum
  }
  const t = 1 / (1 + 0.3275911 * Math.abs(x))
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x)
  return Math.sign(x) * y
}

/** Asserts elementwise closeness with a message naming the first mismatch. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-4): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    if (!(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)))) throw new Error(`element ${i}: got ${a}, expected ${e}`)
  }
}
