import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatCsv, formatJson, formatTable, type BenchReport } from './bench-report.ts'
import { computeBreakdown, parseModelStat } from './server-statistics.ts'

const before = parseModelStat({
  inference_count: 10,
  execution_count: 10,
  inference_stats: { success: { count: 10, ns: 1e6 }, queue: { count: 10, ns: 1e5 }, compute_input: { count: 10, ns: 0 }, compute_infer: { count: 10, ns: 5e5 }, compute_output: { count: 10, ns: 0 } },
})
// gRPC sends uint64 as decimal strings.
const after = parseModelStat({
  inference_count: '110',
  execution_count: '35',
  inference_stats: {
    success: { count: '110', ns: '21000000' },
    queue: { count: '110', ns: '2100000' },
    compute_input: { count: '110', ns: '500000' },
    compute_infer: { count: '110', ns: '5500000' },
    compute_output: { count: '110', ns: '300000' },
  },
})

test('the breakdown averages the difference per request and derives batch size and overhead', () => {
  const server = computeBreakdown(before, after, 0.3)
  assert.equal(server.requests, 100)
  assert.equal(server.executionCount, 25)
  assert.equal(server.avgBatchSize, 4)
  assert.equal(server.requestUs, 200)
  assert.equal(server.queueUs, 20)
  assert.equal(server.computeInputUs, 5)
  assert.equal(server.computeInferUs, 50)
  assert.equal(server.computeOutputUs, 3)
  assert.equal(server.overheadUs, 300 - 78)
})

test('no requests between the snapshots gives NaN averages, not a division by zero', () => {
  const server = computeBreakdown(after, after, 1)
  assert.equal(server.executionCount, 0)
  assert.ok(Number.isNaN(server.queueUs) && Number.isNaN(server.avgBatchSize))
})

const report: BenchReport = {
  model: 'mlp',
  version: '1',
  protocol: 'grpc',
  endpoint: '127.0.0.1:8001',
  batchSize: 1,
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8] }],
  measurement: { intervalMs: 200, requestCount: undefined, maxWindows: 4, throughputTolerance: 0.1, p99Tolerance: 0.25 },
  results: [
    {
      concurrency: 1,
      stable: true,
      windows: 3,
      requests: 300,
      errors: 0,
      firstError: undefined,
      throughput: 500.4567,
      latency: { avg: 0.3, p50: 0.25, p90: 0.4, p95: 0.5, p99: 0.9 },
      server: computeBreakdown(before, after, 0.3),
    },
    {
      concurrency: 2,
      stable: false,
      windows: 4,
      requests: 0,
      errors: 7,
      firstError: 'HTTP 500: boom',
      throughput: 0,
      latency: { avg: Number.NaN, p50: Number.NaN, p90: Number.NaN, p95: Number.NaN, p99: Number.NaN },
      server: undefined,
    },
  ],
}

test('JSON: snake_case, rounded numbers, NaN and missing values as null', () => {
  const json = JSON.parse(formatJson(report))
  assert.equal(json.protocol, 'grpc')
  assert.deepEqual(json.measurement, { interval_ms: 200, request_count: null, max_windows: 4, stability_percentage: 10, latency_stability_percentage: 25 })
  assert.equal(json.results[0].throughput, 500.457)
  assert.deepEqual(json.results[0].latency_ms, { avg: 0.3, p50: 0.25, p90: 0.4, p95: 0.5, p99: 0.9 })
  assert.equal(json.results[0].server.execution_count, 25)
  assert.equal(json.results[0].server.overhead_us, 222)
  assert.equal(json.results[1].latency_ms.p99, null)
  assert.equal(json.results[1].server, null)
  assert.equal(json.results[1].first_error, 'HTTP 500: boom')
})

test('CSV: one header and one row per concurrency, same column count, empty cells for missing values', () => {
  const lines = formatCsv(report).split('\n')
  assert.equal(lines.length, 3)
  const columns = lines[0]!.split(',')
  assert.equal(columns[0], 'concurrency')
  assert.ok(columns.includes('latency_p99_ms') && columns.includes('server_avg_batch_size'))
  for (const line of lines) assert.equal(line.split(',').length, columns.length)
  assert.equal(lines[1]!.split(',')[columns.indexOf('server_avg_batch_size')], '4')
  assert.equal(lines[2]!.split(',')[columns.indexOf('latency_p99_ms')], '')
})

test('table: a description line, aligned columns, UNSTABLE and errors called out', () => {
  const text = formatTable(report)
  const lines = text.split('\n')
  assert.match(lines[0]!, /^mlp v1 over grpc at 127\.0\.0\.1:8001; inputs input FP32 \[1,8\]; 200 ms windows/)
  assert.match(lines[2]!, /conc +infer\/s +avg ms +p50 ms +p90 ms +p95 ms +p99 ms +errors +stable +queue µs/)
  assert.match(lines[4]!, /^ +1 +500 +0\.300 +0\.250 .* yes \(3\) .* 25 +4\.00$/)
  assert.match(lines[5]!, /7 !! +UNSTABLE \(4\)/)
  assert.match(text, /c=2: 7 failed requests, first: HTTP 500: boom/)
})
