import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseBenchOptions } from './bench-options.ts'
import { BenchUsageError } from './bench-setup-error.ts'

test('defaults: REST, concurrency 1,4,16,64, batch 1, 2000 ms windows, 10 windows, 10 % / 25 %, table', () => {
  const options = parseBenchOptions(['mlp'])!
  assert.equal(options.model, 'mlp')
  assert.equal(options.protocol, 'rest')
  assert.deepEqual(options.concurrencies, [1, 4, 16, 64])
  assert.equal(options.batchSize, 1)
  assert.equal(options.measurementIntervalMs, 2000)
  assert.equal(options.maxWindows, 10)
  assert.equal(options.throughputTolerance, 0.1)
  assert.equal(options.p99Tolerance, 0.25)
  assert.equal(options.format, 'table')
  assert.equal(options.allowErrors, false)
})

test('flags, repeated --shape with names containing colons', () => {
  const options = parseBenchOptions(['m', '--protocol', 'grpc', '-c', '2, 8', '-b', '4', '--shape', 'a:1,2', '--shape', 'ns:x:3', '--request-count', '50', '--format', 'csv'])!
  assert.equal(options.protocol, 'grpc')
  assert.deepEqual(options.concurrencies, [2, 8])
  assert.equal(options.batchSize, 4)
  assert.deepEqual([...options.shapes], [['a', [1, 2]], ['ns:x', [3]]])
  assert.equal(options.requestCount, 50)
  assert.equal(options.format, 'csv')
})

test('--help returns undefined', () => {
  assert.equal(parseBenchOptions(['--help']), undefined)
})

test('bad command lines throw BenchUsageError naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [[], /MODEL is required/],
    [['a', 'b'], /one MODEL expected/],
    [['m', '--protocol', 'http'], /--protocol must be one of rest, rest-binary, grpc/],
    [['m', '-c', '0'], /--concurrency must be a positive integer/],
    [['m', '-c', '1,,2'], /--concurrency/],
    [['m', '--max-windows', '2'], /--max-windows must be at least 3/],
    [['m', '--stability-percentage', '0'], /--stability-percentage/],
    [['m', '--shape', 'nocolon'], /--shape must look like NAME:D1,D2/],
    [['m', '--format', 'xml'], /--format/],
    [['m', '--bogus'], /bogus/],
  ]
  for (const [argv, pattern] of cases) assert.throws(() => parseBenchOptions(argv), (error: Error) => error instanceof BenchUsageError && pattern.test(error.message), argv.join(' '))
})
