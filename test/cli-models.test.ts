/**
 * `maas models …` as a real child process against a real server: push (creating the model),
 * list, show, alias, rm, --json, the API key header, and the exit codes of refusals (1) and
 * bad command lines (2).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { buildVersionMarker } from './support/fixture-repository.ts'
import { inferMarker } from './support/management-client.ts'
import { startTestServer, type TestServer } from './support/test-server.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin', 'maas.js')

let server: TestServer
let files: string
before(async () => {
  server = await startTestServer()
  files = mkdtempSync(path.join(os.tmpdir(), 'maas-cli-models-'))
  for (const version of [1, 2]) writeFileSync(path.join(files, `v${version}.onnx`), buildVersionMarker(version))
})
after(async () => {
  await server.close()
  rmSync(files, { recursive: true, force: true })
})

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

function maas(args: readonly string[], env: Record<string, string> = {}, url = server.url): Promise<Run> {
  const clean: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MAAS_') && key !== 'NODE_TEST_CONTEXT') clean[key] = value
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'models', ...args, ...(args.includes('--url') ? [] : ['--url', url])], { cwd: ROOT, env: { ...clean, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    })
  })
}

test('push creates the model, uploads versions and sets an alias; list and show print tables', async () => {
  const first = await maas(['push', 'clf', path.join(files, 'v1.onnx'), '--metrics', 'acc=0.91,loss=0.3', '--alias', 'production'])
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /created model clf; pushed clf version 1 \(READY, sha256 [0-9a-f]{12}\); production → 1/)
  const second = await maas(['push', 'clf', path.join(files, 'v2.onnx'), '--json'])
  assert.equal(second.code, 0, second.stderr)
  assert.equal(JSON.parse(second.stdout).version, 2)
  assert.equal((await inferMarker(server, 'clf@production')).version, 1)
  assert.equal((await inferMarker(server, 'clf')).version, 2)

  const list = await maas(['list'])
  assert.equal(list.code, 0, list.stderr)
  assert.match(list.stdout, /^NAME\s+TASK\s+VISIBILITY\s+OWNER\s+UPDATED\n/)
  assert.match(list.stdout, /\nclf\s+private\s+anonymous\s+\d{4}-/)
  const listJson = JSON.parse((await maas(['list', '--json'])).stdout)
  assert.ok(listJson.some((model: { name: string }) => model.name === 'clf'))

  const show = await maas(['show', 'clf'])
  assert.equal(show.code, 0, show.stderr)
  assert.match(show.stdout, /model:\s+clf/)
  assert.match(show.stdout, /\n1\s+READY\s+acc=0\.91 loss=0\.3\s+\d+/)
  assert.match(show.stdout, /\n2\s+READY\s+/)
  assert.match(show.stdout, /\nproduction\s+1/)
})

test('alias moves with a canary, and rm deletes a version, then the model', async () => {
  const alias = await maas(['alias', 'clf', 'production', '2', '--canary', '1', '--weight', '10'])
  assert.equal(alias.code, 0, alias.stderr)
  assert.equal(alias.stdout.trim(), 'clf@production → version 2 (canary 1 at 10%)')
  const inUse = await maas(['rm', 'clf/1'])
  assert.equal(inUse.code, 1)
  assert.match(inUse.stderr, /maas models rm: .*alias.*\(HTTP 409\)/)
  assert.equal((await maas(['alias', 'clf', 'production', '2'])).code, 0)
  const rmVersion = await maas(['rm', 'clf/1'])
  assert.equal(rmVersion.code, 0, rmVersion.stderr)
  assert.equal(rmVersion.stdout.trim(), 'deleted clf/1')
  assert.equal((await maas(['rm', 'clf'])).code, 1, 'refused while an alias exists')
  const deleteAlias = await fetch(`${server.url}/v1/registry/models/clf/aliases/production`, { method: 'DELETE' })
  assert.equal(deleteAlias.status, 204)
  assert.equal((await maas(['rm', 'clf'])).code, 0)
  const gone = await maas(['show', 'clf'])
  assert.equal(gone.code, 1)
  assert.match(gone.stderr, /model 'clf' is not found \(HTTP 404\)/)
})

test('bad command lines exit 2 with usage; an unreachable server exits 1', async () => {
  for (const args of [['frobnicate'], ['show'], ['alias', 'm', 'a', 'x'], ['push', 'm', 'f', '--metrics', 'acc'], ['list', '--bogus']]) {
    const run = await maas(args)
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`)
    assert.match(run.stderr, /usage: maas models/)
  }
  assert.equal((await maas(['--help'])).code, 0)
  const unreachable = await maas(['list', '--url', 'http://127.0.0.1:1'])
  assert.equal(unreachable.code, 1)
  assert.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:1/)
  const missing = await maas(['push', 'clf2', path.join(files, 'absent.onnx')])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /cannot read/)
})

test('sends --api-key, or MAAS_API_KEY, as Authorization: Bearer', async () => {
  const seen: (string | undefined)[] = []
  const fake = createServer((request, response) => {
    seen.push(request.headers.authorization)
    response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"models":[]}')
  })
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`
  try {
    assert.equal((await maas(['list', '--api-key', 'maas_abcdefgh_secret'], {}, url)).code, 0)
    const fromEnv = await maas(['list'], { MAAS_API_KEY: 'maas_fromenv_secret' }, url)
    assert.equal(fromEnv.code, 0)
    assert.equal(fromEnv.stdout.trim(), '(none)')
  } finally {
    fake.close()
  }
  assert.deepEqual(seen, ['Bearer maas_abcdefgh_secret', 'Bearer maas_fromenv_secret'])
})
