/**
 * @module core/float16
 * IEEE 754 half precision <-> JavaScript number, for FP16 tensors given as JSON numbers.
 * Round-to-nearest-even, with subnormals, infinities and NaN.
 */

const floatView = new Float32Array(1)
const int32View = new Uint32Array(floatView.buffer)

/** Encodes a number as the bits of the nearest half-precision value. */
export function toFloat16Bits(value: number): number {
  floatView[0] = value
  const x = int32View[0]!
  const sign = (x >>> 16) & 0x8000
  const exponent = (x >>> 23) & 0xff
  let mantissa = x & 0x7fffff
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0)
  const halfExponent = exponent - 127 + 15
  if (halfExponent >= 0x1f) return sign | 0x7c00
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign
    mantissa |= 0x800000
    const shift = 14 - halfExponent
    let half = mantissa >>> shift
    const remainder = mantissa & ((1 << shift) - 1)
    const halfway = 1 << (shift - 1)
    if (remainder > halfway || (remainder === halfway && half & 1)) half++
    return sign | half
  }
  let half = sign | (halfExponent << 10) | (mantissa >>> 13)
  const remainder = mantissa & 0x1fff
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half++
  return half
}

/** Decodes half-precision bits to a number. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >>> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}
