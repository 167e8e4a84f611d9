/**
 * `maas serve` as a real child process: what it logs, that it serves, that SIGTERM drains
 * in-flight requests before exiting 0, and the exit codes of bad command lines.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createFixtureRepository } from './support/fixture-repository.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin', 'maas.js')

interface LogLine {
  readonly msg: string
  readonly [key: string]: unknown
}

/** The parent's environment without MAAS_* settings, so the machine running the tests cannot change them. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('MAAS_') && key !== 'NODE_TEST_CONTEXT') env[key] = value
  }
  return { ...env, ...extra }
}

function spawnMaas(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Rejects after `ms` unless `promise` settles first. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

function kill(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/** Runs a maas command that should exit by itself; kills it if it does not within `ms`. */
async function runMaas(args: readonly string[], env: Record<string, string> = {}, ms = 20_000): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawnMaas(args, env)
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  try {
    const exit = await withTimeout(exitOf(child), ms, `maas ${args.join(' ')} to exit`)
    // 'exit' can come before the pipes are drained
    await withTimeout(new Promise((resolve) => (child.stdout!.readableEnded ? resolve(undefined) : child.stdout!.once('end', resolve))), 2_000, 'stdout to end')
    await withTimeout(new Promise((resolve) => (child.stderr!.readableEnded ? resolve(undefined) : child.stderr!.once('end', resolve))), 2_000, 'stderr to end')
    return { ...exit, stdout, stderr }
  } finally {
    kill(child)
  }
}

/** A running `maas serve` whose JSON log lines are collected as they arrive. */
class ServeProcess {
  readonly child: ChildProcess
  readonly lines: LogLine[] = []
  readonly exited: Promise<Exit>
  stderr = ''
  #waiters: Array<() => void> = []

  constructor(args: readonly string[]) {
    this.child = spawnMaas(['serve', ...args])
    this.exited = exitOf(this.child)
    let pending = ''
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      let newline: number
      while ((newline = pending.indexOf('\n')) !== -1) {
        const text = pending.slice(0, newline)
        pending = pending.slice(newline + 1)
        if (text.trim() === '') continue
        this.lines.push(JSON.parse(text) as LogLine)
        for (const wake of this.#waiters.splice(0)) wake()
      }
    })
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk))
    this.child.once('exit', () => {
      for (const wake of this.#waiters.splice(0)) wake()
    })
  }

  /** The first log line matching `predicate`, waiting up to `ms` for it. */
  async waitForLine(predicate: (line: LogLine) => boolean, ms: number, what: string): Promise<LogLine> {
    const deadline = Date.now() + ms
    for (;;) {
      const found = this.lines.find(predicate)
      if (found) return found
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`maas serve exited (${this.child.exitCode ?? this.child.signalCode}) before logging ${what}; stderr: ${this.stderr}`)
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}; stderr: ${this.stderr}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }
}

/** Resolves with the error code of a TCP connect to the port (or 'connected'). */
function tryConnect(port: number): Promise<string> {
  return withTimeout(
    new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve('connected')
      })
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    }),
    5_000,
    'a TCP connect',
  )
}

function readResponse(response: IncomingMessage): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let body = ''
    response.setEncoding('utf8')
    response.on('data', (chunk: string) => (body += chunk))
    response.once('end', () => resolve({ status: response.statusCode ?? 0, body }))
    response.once('error', reject)
  })
}

describe('maas serve over a fixture repository', () => {
  let repository: string
  let dataDir: string
  let serve: ServeProcess | undefined
  let port = 0

  before(async () => {
    repository = createFixtureRepository()
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'maas-data-'))
    serve = new ServeProcess([
      '--http-port', '0',
      '--grpc-port', '0',
      '--host', '127.0.0.1',
      '--log-level', 'info',
      '--shutdown-timeout-ms', '10000',
      '--model-repository', repository,
      '--data-dir', dataDir,
      '--no-auth',
      '--no-bootstrap',
    ])
    const listening = await serve.waitForLine((line) => line.msg.startsWith('maas listening on '), 60_000, "the 'maas listening' line")
    port = listening.port as number
  })

  after(() => {
    kill(serve?.child)
    rmSync(repository, { recursive: true, force: true })
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('logs where it listens: a real port on 127.0.0.1, with repository and data dir', () => {
    const line = serve!.lines.find((candidate) => candidate.msg.startsWith('maas listening on '))!
    assert.equal(typeof line.port, 'number')
    assert.ok(port > 0 && port < 65536, `port ${port}`)
    assert.equal(typeof line.grpcPort, 'number')
    assert.equal(line.msg, `maas listening on http://127.0.0.1:${port} (REST) and 127.0.0.1:${line.grpcPort} (gRPC)`)
    assert.equal(line.tls, false)
    assert.equal(line.host, '127.0.0.1')
    assert.equal(line.modelRepository, repository)
    assert.equal(line.dataDir, dataDir)
    assert.equal(line.service, 'maas')
  })

  test('logs one line per model version with its state, before the listening line', () => {
    // the per-model summary lines carry a state; the loader's own 'model version loaded' lines do not
    const modelLines = serve!.lines.filter((line) => typeof line.model === 'string' && typeof line.state === 'string')
    const listeningAt = serve!.lines.findIndex((line) => line.msg.startsWith('maas listening on '))
    assert.ok(modelLines.length > 0)
    assert.ok(modelLines.every((line) => serve!.lines.indexOf(line) < listeningAt))
    const stateOf = (model: string, version: string) => modelLines.find((line) => line.model === model && line.version === version)?.state
    assert.equal(stateOf('mlp', '1'), 'READY')
    assert.equal(stateOf('simple', '1'), 'READY')
    assert.equal(stateOf('versioned', '3'), 'READY')
    assert.equal(stateOf('versioned', '2'), 'READY')
    assert.notEqual(stateOf('versioned', '1'), 'READY', 'latest 2 does not serve version 1')
    const mlp = modelLines.find((line) => line.model === 'mlp')!
    assert.equal(mlp.msg, 'model mlp v1: READY')
    assert.ok(modelLines.every((line) => line.state === 'READY' || line.model === 'versioned'), JSON.stringify(modelLines.filter((line) => line.state !== 'READY')))
  })

  test('GET /v2/health/ready answers 200', async () => {
    const response = await withTimeout(fetch(`http://127.0.0.1:${port}/v2/health/ready`), 10_000, 'GET /v2/health/ready')
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { ready: true })
  })

  test('SIGTERM refuses new connections, finishes the in-flight request, logs "server stopped" and exits 0', async () => {
    const child = serve!.child
    const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 8], data: Array.from({ length: 16 }, (_, i) => i / 16) }] }))
    const half = Math.floor(body.length / 2)
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v2/models/mlp/infer',
      agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
    })
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.once('response', (incoming) => readResponse(incoming).then(resolve, reject))
      request.once('error', reject)
    })
    response.catch(() => undefined) // observed below; avoid an unhandled rejection while waiting
    try {
      request.flushHeaders()
      request.write(body.subarray(0, half))
      await delay(300) // let the server parse the headers and start reading the body

      assert.ok(child.kill('SIGTERM'))
      await serve!.waitForLine((line) => line.msg.startsWith('SIGTERM received'), 10_000, "the 'SIGTERM received' line")
      await delay(50)
      assert.equal(await tryConnect(port), 'ECONNREFUSED', 'new connections are refused once SIGTERM is handled')

      await delay(150)
      assert.equal(child.exitCode, null, 'the server waits for the in-flight request before exiting')
      request.end(body.subarray(half))
      const result = await withTimeout(response, 10_000, 'the in-flight response')
      const exit = await withTimeout(serve!.exited, 15_000, 'maas serve to exit after SIGTERM')
      assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${serve!.stderr}`)
      await serve!.waitForLine((line) => line.msg === 'server stopped', 2_000, "the 'server stopped' line")
      assert.equal(result.status, 200, `in-flight request answered ${result.status}: ${result.body}`)
      const parsed = JSON.parse(result.body) as { model_name: string; outputs: Array<{ shape: number[] }> }
      assert.equal(parsed.model_name, 'mlp')
      assert.deepEqual(parsed.outputs[0]?.shape, [2, 3])
    } finally {
      request.destroy()
    }
  })
})

describe('maas command lines', { concurrency: true }, () => {
  let repository: string
  let dataDir: string
  before(() => {
    repository = mkdtempSync(path.join(os.tmpdir(), 'maas-empty-repo-'))
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'maas-data-'))
  })
  after(() => {
    rmSync(repository, { recursive: true, force: true })
    rmSync(dataDir, { recursive: true, force: true })
  })
  // Should a bad case wrongly start a server, it listens on a free port and is killed on timeout.
  const serveArgs = () => ['serve', '--http-port', '0', '--grpc-port', '0', '--model-repository', repository, '--data-dir', dataDir]

  test('maas serve --http-port abc exits 2 naming --http-port', async () => {
    const result = await runMaas(['serve', '--model-repository', repository, '--data-dir', dataDir, '--http-port', 'abc'])
    assert.equal(result.code, 2, `stderr: ${result.stderr}`)
    assert.match(result.stderr, /--http-port/)
    assert.match(result.stderr, /expected an integer from 0 to 65535/)
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  })

  test('maas serve --bogus exits 2 naming the option', async () => {
    const result = await runMaas([...serveArgs(), '--bogus'])
    assert.equal(result.code, 2, `stderr: ${result.stderr}`)
    assert.match(result.stderr, /--bogus/)
  })

  test('a flag without its value, or a stray positional, exits 2 without a stack trace', async () => {
    const [missing, positional] = await Promise.all([runMaas([...serveArgs(), '--http-port']), runMaas([...serveArgs(), 'extra'])])
    assert.equal(missing.code, 2, `stderr: ${missing.stderr}`)
    assert.match(missing.stderr, /--http-port/)
    assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace')
    assert.equal(positional.code, 2, `stderr: ${positional.stderr}`)
    assert.match(positional.stderr, /extra/)
    assert.doesNotMatch(positional.stderr, /\n\s+at /, 'no stack trace')
  })

  test('MAAS_HTTP_PORT=abc exits 2 naming MAAS_HTTP_PORT', async () => {
    const result = await runMaas(['serve', '--model-repository', repository, '--data-dir', dataDir], { MAAS_HTTP_PORT: 'abc' })
    assert.equal(result.code, 2, `stderr: ${result.stderr}`)
    assert.match(result.stderr, /MAAS_HTTP_PORT/)
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  })

  test('maas --help exits 0 and prints the usage with the serve command', async () => {
    const result = await runMaas(['--help'])
    assert.equal(result.code, 0, `stderr: ${result.stderr}`)
    assert.match(result.stdout, /usage: maas <command>/)
    assert.match(result.stdout, /serve/)
  })

  test('maas serve --help exits 0 and lists each flag with its MAAS_* variable', async () => {
    const result = await runMaas(['serve', '--help'])
    assert.equal(result.code, 0, `stderr: ${result.stderr}`)
    assert.match(result.stdout, /--http-port\s.*\(MAAS_HTTP_PORT\)/)
    assert.match(result.stdout, /--config FILE/)
  })

  test('an unknown command exits 2', async () => {
    const result = await runMaas(['frobnicate'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /unknown command 'frobnicate'/)
  })
})

test('with --tls-cert and --tls-key the listening line names https and gRPC over TLS', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'maas-tls-'))
  const cert = path.join(work, 'cert.pem')
  const key = path.join(work, 'key.pem')
  const openssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
  assert.equal(openssl.status, 0, 'openssl made a certificate')
  const repository = createFixtureRepository()
  const serve = new ServeProcess([
    '--http-port', '0', '--grpc-port', '0', '--host', '127.0.0.1', '--log-level', 'info',
    '--model-repository', repository, '--data-dir', path.join(work, 'data'), '--no-auth', '--no-bootstrap',
    '--tls-cert', cert, '--tls-key', key,
  ])
  try {
    const line = await serve.waitForLine((candidate) => candidate.msg.startsWith('maas listening on '), 60_000, "the 'maas listening' line")
    assert.equal(line.msg, `maas listening on https://127.0.0.1:${line.port} (REST) and 127.0.0.1:${line.grpcPort} (gRPC over TLS)`)
    assert.equal(line.tls, true)
  } finally {
    kill(serve.child)
    await serve.exited
    rmSync(repository, { recursive: true, force: true })
    rmSync(work, { recursive: true, force: true })
  }
})

test('a port already in use gives a one-line error and exit code 1', async () => {
  const { createServer } = await import('node:net')
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const port = (blocker.address() as { port: number }).port
  try {
    const result = spawnSync(process.execPath, ['bin/maas.js', 'serve', '--http-port', String(port), '--model-repository', '/nonexistent-maas-repo', '--data-dir', mkdtempSync(path.join(os.tmpdir(), 'maas-data-'))], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 })
    assert.equal(result.status, 1)
    assert.match(result.stdout, new RegExp(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`))
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, 'no stack trace')
  } finally {
    blocker.close()
  }
})
