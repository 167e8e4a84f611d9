import { mulberry32 } from '../../../core/mulberry32.ts'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Tensor } from '../../../core/tensor.ts'
import { decodeInferRequest } from './kserve-request-decoder.ts'
import { parseJsonWithFlatData } from './json-flat-data-scanner.ts'

const TYPED = { FP32: Float32Array, FP64: Float64Array, INT32: Int32Array } as const

/** Seeded, so that a failing draw can be replayed (SCANNER_TEST_SEED). */
const random = mulberry32(Number(process.env.SCANNER_TEST_SEED ?? 20261129))

/** What the decoder gives for a body when it goes through JSON.parse alone. */
function expectedData(text: string, index = 0): unknown[] {
  return (JSON.parse(text) as { inputs: { data: unknown[] }[] }).inputs[index]!.data
}

function assertSameElements(actual: Tensor['data'], expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, what)
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is((actual as Float32Array)[i], expected[i])) assert.fail(`${what}: element ${i} is ${(actual as Float32Array)[i]}, expected ${expected[i]}`)
  }
}

function requestText(datatype: string, data: string, extra = ''): string {
  const count = (JSON.parse(data) as unknown[]).length
  return `{"inputs":[{"name":"x","shape":[${count}],"datatype":"${datatype}","data":${data}}]${extra}}`
}

function decodeText(text: string) {
  return decodeInferRequest(Buffer.from(text), undefined)
}

function float32Widened(count: number, scale: () => number): number[] {
  return Array.from({ length: count }, () => Math.fround((random() - 0.5) * scale()))
}

test('reads float32 values widened to doubles exactly as JSON.parse and Float32Array would', () => {
  for (const scale of [() => 1, () => 10 ** (Math.floor(random() * 60) - 30), () => 2 ** (Math.floor(random() * 250) - 125)]) {
    const text = requestText('FP32', JSON.stringify(float32Widened(2000, scale)))
    assert.ok(parseJsonWithFlatData(Buffer.from(text), text.length), 'the fast path applies')
    assertSameElements(decodeText(text).inputs[0]!.data, Float32Array.from(expectedData(text) as number[]), 'FP32')
  }
})

test('reads arbitrary doubles exactly for FP64, and rounds them as Float32Array does for FP32', () => {
  const values = Array.from({ length: 3000 }, (_, i) => {
    const kind = i % 6
    if (kind === 0) return random()
    if (kind === 1) return -random() * 10 ** (Math.floor(random() * 40) - 20)
    if (kind === 2) return Math.floor(random() * 2 ** 53) * (random() < 0.5 ? -1 : 1)
    if (kind === 3) return random() * 1e300
    if (kind === 4) return random() * 1e-300
    return Math.round(random() * 1000) / 100
  })
  for (const datatype of ['FP64', 'FP32'] as const) {
    const text = requestText(datatype, JSON.stringify(values))
    assertSameElements(decodeText(text).inputs[0]!.data, TYPED[datatype].from(expectedData(text) as number[]), datatype)
  }
})

test('reads numbers near float32 rounding midpoints, and every JSON number spelling, as JSON.parse does', () => {
  const spellings: string[] = ['0', '-0', '-0.0', '0e5', '1E2', '1e+2', '1e-2', '-1.5e-3', '123456789012345678901234567890', '0.000000000000000000000000001',
    '1e400', '-1e400', '1e-400', '4.9e-324', '3.4028235677973366e38', '3.4028235677973367e38', '1.1754943508222875e-38', '1.401298464324817e-45',
    '9007199254740993', '0.30000000000000004', '100000000000000000000000', '1.00000000000000000000000000000001']
  for (let i = 0; i < 2000; i++) {
    const f = Math.fround(random() * 2 ** (Math.floor(random() * 40) - 20))
    const bits = new Float32Array([f])
    new Uint32Array(bits.buffer)[0]! += 1
    const midpoint = (f + bits[0]!) / 2
    spellings.push(midpoint.toPrecision(17), midpoint.toPrecision(21), (midpoint * (1 + 2 ** -50)).toPrecision(19), (midpoint * (1 - 2 ** -50)).toPrecision(19))
  }
  const data = `[${spellings.join(', ')}]`
  for (const datatype of ['FP32', 'FP64'] as const) {
    const text = requestText(datatype, data)
    assertSameElements(decodeText(text).inputs[0]!.data, TYPED[datatype].from(expectedData(text) as number[]), datatype)
  }
})

test('integers for INT32, with the same range error as the JSON.parse path', () => {
  const values = Array.from({ length: 500 }, () => Math.floor((random() - 0.5) * 2 ** 31))
  const text = requestText('INT32', JSON.stringify(values))
  assertSameElements(decodeText(text).inputs[0]!.data, Int32Array.from(values), 'INT32')
  const outOfRange = requestText('INT32', JSON.stringify([...values, 2 ** 31]))
  assert.throws(() => decodeText(outOfRange), /element 500 is 2147483648, out of range for INT32/)
  const fraction = requestText('INT32', JSON.stringify([...values, 1.5]))
  assert.throws(() => decodeText(fraction), /element 500 is 1.5; INT32 expects an integer/)
})

test('leaves to JSON.parse what it does not handle, with the same results and errors', () => {
  const numbers = JSON.stringify(float32Widened(400, () => 1))
  const nested = `[${numbers}, ${numbers}]`
  const cases = [
    requestText('FP32', nested).replace('"shape":[2]', '"shape":[2,400]'),
    requestText('FP32', `[${numbers.slice(1, -1)}, "NaN", "Infinity"]`),
    `{"inputs":[{"name":"x","shape":[400],"datatype":"FP32","data":${numbers},"d\\u0061ta":[1]}]}`,
  ]
  for (const text of cases) assert.equal(parseJsonWithFlatData(Buffer.from(text), text.length), undefined)
  const withStrings = cases[1]!
  assertSameElements(decodeText(withStrings).inputs[0]!.data, Float32Array.from(expectedData(withStrings) as number[], (value) => (typeof value === 'number' ? value : Number(value))), 'strings')
  const invalids = [numbers.replace(',', ',01'), numbers.replace(',', ',1.'), numbers.replace(',', ',.5'), numbers.replace(',', ',+1'), numbers.replace(']', ',]')]
  // Text glued to the array: JSON.parse refuses these, so the scan must not turn them into a number.
  invalids.push(`1${numbers}`, `-${numbers}`, `${numbers}e5`, `${numbers}.5`, `${numbers} 1`)
  for (const invalid of invalids) {
    const text = requestText('FP32', numbers).replace(numbers, invalid)
    let expected = ''
    try {
      JSON.parse(text)
    } catch (error) {
      expected = (error as Error).message
    }
    assert.throws(() => decodeText(text), { message: `request body is not valid JSON: ${expected}` })
  }
})

test('maps each scanned array to its own input, whatever else says "data"', () => {
  const a = float32Widened(300, () => 1)
  const b = float32Widened(200, () => 1)
  const text = JSON.stringify({
    id: 'x "data": [1, 2]',
    parameters: { data: 3 },
    inputs: [
      { name: 'a', shape: [300], datatype: 'FP32', data: [9, 9], parameters: { data: 'y' } },
      { name: 'b', shape: [200], datatype: 'FP32', data: b },
    ],
    outputs: [{ name: 'o', data: [1, 2, 3] }],
  }).replace('"data":[9,9]', `"data":[9,9],"data":${JSON.stringify(a)}`)
  const request = decodeText(text)
  assertSameElements(request.inputs[0]!.data, Float32Array.from(a), 'a (the last of two "data" keys)')
  assertSameElements(request.inputs[1]!.data, Float32Array.from(b), 'b')
  assert.deepEqual(request.inputs[0]!.parameters, { data: 'y' })
  assert.equal(request.id, 'x "data": [1, 2]')
  const lastIsNested = text.replace(`"data":${JSON.stringify(b)}`, `"data":${JSON.stringify(b)},"data":[[${b.join(',')}]]`).replace('"shape":[200]', '"shape":[1,200]')
  assertSameElements(decodeText(lastIsNested).inputs[1]!.data, Float32Array.from(b), 'b from a nested last "data"')
})

test('keeps the errors of a request whose data is scanned: wrong count, both data and binary size', () => {
  const values = JSON.stringify(float32Widened(300, () => 1))
  const wrongCount = requestText('FP32', values).replace('"shape":[300]', '"shape":[301]')
  assert.throws(() => decodeText(wrongCount), /has 300 elements in 'data' but its shape \[301\] needs 301/)
  const both = requestText('FP32', values).replace('"data":', '"parameters":{"binary_data_size":4},"data":')
  assert.throws(() => decodeInferRequest(Buffer.concat([Buffer.from(both), Buffer.alloc(4)]), both.length), /has both 'data' and 'parameters.binary_data_size'/)
})

test('an exponent too long to hold is not wrapped back into range by leading zeros', () => {
  const numbers = JSON.stringify(float32Widened(300, () => 1)).slice(1, -1)
  const tiny = `0.${'0'.repeat(100_010)}1e1000000`
  for (const datatype of ['FP64', 'FP32'] as const) {
    const text = `{"inputs":[{"name":"x","shape":[301],"datatype":"${datatype}","data":[${numbers},${tiny}]}]}`
    const expected = TYPED[datatype].from(expectedData(text) as number[])
    assert.equal(expected[300], Infinity)
    assertSameElements(decodeText(text).inputs[0]!.data, expected, datatype)
  }
})
