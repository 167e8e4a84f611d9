/**
 * One sample per datatype: the JSON values a client sends and the little-endian bytes the
 * binary extension carries for them.
 */
import type { Datatype } from '../../src/core/datatypes.ts'

export interface DatatypeSample {
  readonly json: unknown[]
  readonly bytes: Uint8Array
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}

export const DATATYPE_SAMPLES: Record<Datatype, DatatypeSample> = {
  BOOL: { json: [true, false, true], bytes: new Uint8Array([1, 0, 1]) },
  UINT8: { json: [0, 128, 255], bytes: new Uint8Array([0, 128, 255]) },
  UINT16: { json: [0, 1000, 65535], bytes: bytesOf(new Uint16Array([0, 1000, 65535])) },
  UINT32: { json: [0, 70000, 4294967295], bytes: bytesOf(new Uint32Array([0, 70000, 4294967295])) },
  UINT64: { json: [0, 1, 9007199254740991], bytes: bytesOf(new BigUint64Array([0n, 1n, 9007199254740991n])) },
  INT8: { json: [-128, 0, 127], bytes: bytesOf(new Int8Array([-128, 0, 127])) },
  INT16: { json: [-32768, 0, 32767], bytes: bytesOf(new Int16Array([-32768, 0, 32767])) },
  INT32: { json: [-2147483648, 0, 2147483647], bytes: bytesOf(new Int32Array([-2147483648, 0, 2147483647])) },
  INT64: { json: [-9007199254740991, 0, 9007199254740991], bytes: bytesOf(new BigInt64Array([-9007199254740991n, 0n, 9007199254740991n])) },
  FP16: { json: [1, -2.5, 0.5], bytes: bytesOf(new Uint16Array([0x3c00, 0xc100, 0x3800])) },
  FP32: { json: [1.5, -2.25, 0.125], bytes: bytesOf(new Float32Array([1.5, -2.25, 0.125])) },
  FP64: { json: [1.5, -2.25, 1e-300], bytes: bytesOf(new Float64Array([1.5, -2.25, 1e-300])) },
  BYTES: { json: ['hello', 'wörld', ''], bytes: new Uint8Array(0) },
}
