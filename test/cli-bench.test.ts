/**
 * `maas bench` against a real server: every protocol on `simple` (two INT32 inputs) and
 * `mlp`, the JSON report's structure and server-side breakdown, the setup failures that
 * exit 2, and the CLI wiring through `node bin/maas.js`.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runBench } from '../src/cli/bench-command.ts'
import { startTestServer, type TestServer } from './support/test-server.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TINY = ['--measurement-interval', '200', '--concurrency', '1,2', '--max-windows', '4']

let server: TestServer
before(async () => (server = await startTestServer()))
after(() => server.close())

async function bench(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runBench(argv, { stdout: (text) => (stdout += `${text}\n`), stderr: (text) => (stderr += `${text}\n`) })
  return { code, stdout, stderr }
}

function urlFor(protocol: string): string {
  return protocol === 'grpc' ? server.grpcAddress : server.url
}

for (const protocol of ['rest', 'rest-binary', 'grpc']) {
  for (const [model, inputs] of [
    ['simple', [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 16] }, { name: 'INPUT1', datatype: 'INT32', shape: [1, 16] }]],
    ['mlp', [{ name: 'input', datatype: 'FP32', shape: [1, 8] }]],
  ] as const) {
    test(`${protocol} ${model}: JSON report per concurrency, no errors, a plausible server breakdown`, async () => {
      const { code, stdout, stderr } = await bench([model, '--protocol', protocol, '--url', urlFor(protocol), ...TINY, '--format', 'json'])
      assert.equal(code, 0, stderr)
      const report = JSON.parse(stdout)
      assert.equal(report.model, model)
      assert.equal(report.version, '1')
      assert.equal(report.protocol, protocol)
      assert.equal(report.batch_size, 1)
      assert.deepEqual(report.inputs, inputs)
      assert.deepEqual(report.measurement, { interval_ms: 200, request_count: null, max_windows: 4, stability_percentage: 10, latency_stability_percentage: 25 })
      assert.deepEqual(report.results.map((result: { concurrency: number }) => result.concurrency), [1, 2])
      for (const result of report.results) {
        assert.equal(result.errors, 0)
        assert.equal(result.first_error, null)
        assert.ok(result.windows >= 3 && result.windows <= 4, `windows ${result.windows}`)
        assert.equal(typeof result.stable, 'boolean')
        assert.ok(result.requests > 0 && result.throughput > 0)
        const latency = result.latency_ms
        assert.ok(latency.p50 > 0 && latency.p50 <= latency.p90 && latency.p90 <= latency.p95 && latency.p95 <= latency.p99, JSON.stringify(latency))
        const serverSide = result.server
        assert.ok(serverSide, 'the statistics extension was read')
        assert.ok(serverSide.execution_count > 0 && serverSide.inference_count >= serverSide.execution_count)
        assert.ok(serverSide.avg_batch_size >= 1)
        // The server saw about as many requests as the client completed in those windows.
        assert.ok(Math.abs(serverSide.requests - result.requests) <= result.requests * 0.2 + 10, `${serverSide.requests} vs ${result.requests}`)
        for (const key of ['queue_us', 'compute_input_us', 'compute_infer_us', 'compute_output_us']) assert.ok(serverSide[key] >= 0, key)
        assert.ok(serverSide.compute_infer_us > 0 && serverSide.request_us < latency.avg * 1000)
        assert.ok(Number.isFinite(serverSide.overhead_us))
      }
    })
  }
}

test('--format csv --output FILE writes one row per concurrency', async () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'maas-bench-'))
  try {
    const file = path.join(folder, 'report.csv')
    const { code, stdout } = await bench(['mlp', '--url', server.url, ...TINY, '--format', 'csv', '--output', file])
    assert.equal(code, 0)
    assert.equal(stdout, '')
    const lines = readFileSync(file, 'utf8').trim().split('\n')
    assert.equal(lines.length, 3)
    assert.match(lines[0]!, /^concurrency,stable,windows,requests,errors,throughput_infer_per_s,/)
    assert.match(lines[1]!, /^1,(true|false),\d,\d+,0,/)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})

test('an unknown model exits 2 naming it, over REST and gRPC', async () => {
  for (const protocol of ['rest', 'grpc']) {
    const { code, stderr } = await bench(['nope', '--protocol', protocol, '--url', urlFor(protocol), ...TINY])
    assert.equal(code, 2)
    assert.match(stderr, /model 'nope' not found/)
  }
})

test('an unreachable server exits 2 with a clear message, over REST and gRPC', async () => {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const { port } = closed.address() as AddressInfo
  await new Promise((resolve) => closed.close(resolve))
  const rest = await bench(['mlp', '--url', `http://127.0.0.1:${port}`])
  assert.equal(rest.code, 2)
  assert.match(rest.stderr, /cannot reach the server at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/)
  const grpc = await bench(['mlp', '--protocol', 'grpc', '--url', `127.0.0.1:${port}`])
  assert.equal(grpc.code, 2)
  assert.match(grpc.stderr, /cannot reach the gRPC server at 127\.0\.0\.1:\d+: UNAVAILABLE/)
})

test('a --shape the model contradicts exits 2 before any load', async () => {
  const { code, stderr } = await bench(['simple', '--url', server.url, '--shape', 'INPUT0:3'])
  assert.equal(code, 2)
  assert.match(stderr, /--shape INPUT0: dimension 1 is 3, but the model fixes it at 16/)
})

test('bad flags exit 2 with the usage', async () => {
  const { code, stderr } = await bench(['mlp', '--concurrency', 'many'])
  assert.equal(code, 2)
  assert.match(stderr, /--concurrency must be a positive integer; got 'many'/)
  assert.match(stderr, /usage: maas bench MODEL/)
})

test('node bin/maas.js bench runs the command and exits with its code', async () => {
  // An async spawn: the server under test lives in this process and must keep answering.
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'maas.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => (stdout += chunk))
      child.stderr.on('data', (chunk) => (stderr += chunk))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })
  const help = await run(['--help'])
  assert.match(help.stdout, /bench +closed-loop load sweep/)
  const table = await run(['bench', 'simple', '--protocol', 'grpc', '--url', server.grpcAddress, ...TINY])
  assert.equal(table.code, 0, table.stderr)
  assert.match(table.stdout, /^simple v1 over grpc at 127\.0\.0\.1:\d+; inputs INPUT0 INT32 \[1,16\], INPUT1 INT32 \[1,16\]/)
  assert.match(table.stdout, /\n +1 +\d+ +[\d.]+ .*\n +2 +\d+ /)
  assert.match(table.stderr, /c=1: \d+ infer\/s/)
  const usage = await run(['bench'])
  assert.equal(usage.code, 2)
  assert.match(usage.stderr, /MODEL is required[\s\S]*usage: maas bench MODEL/)
})
