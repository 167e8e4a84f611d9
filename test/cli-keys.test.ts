/**
 * `maas keys` and `maas usage` end to end against a real server over HTTP: create (the key
 * alone on stdout), list, show, rotate, revoke, usage tables and JSON, the exit codes, the
 * API key sent from --api-key or MAAS_API_KEY, and the `maas` binary dispatching to them.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runKeys } from '../src/cli/keys-command.ts'
import { runUsage } from '../src/cli/usage-command.ts'
import { postJson, startTestServer, type TestServer } from './support/test-server.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

let server: TestServer
before(async () => {
  server = await startTestServer()
})
after(() => server.close())

async function run(command: typeof runKeys, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  const code = await command([...args, '--url', server.url], { stdout: (text) => out.push(text), stderr: (text) => err.push(text), env })
  return { code, stdout: out.join('\n'), stderr: err.join('\n') }
}

describe('maas keys', () => {
  test('create prints the key alone on stdout and what it is on stderr; list and show never print it', async () => {
    const created = await run(runKeys, ['create', '--role', 'consumer', '--name', 'ci-bot', '--models', 'mlp, simple', '--expires-in', '30d'])
    assert.equal(created.code, 0, created.stderr)
    assert.match(created.stdout, /^maas_[a-z2-7]{8}_[A-Za-z0-9_-]{43}$/)
    assert.match(created.stderr, /^created key [0-9a-f-]{36} 'ci-bot' \(consumer\), expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\nstore the key now/)
    const id = /key ([0-9a-f-]{36})/.exec(created.stderr)![1]!
    const stored = await server.server.keys.get(id)
    assert.deepEqual(stored.allowedModels, ['mlp', 'simple'])
    assert.ok(stored.expiresAt!.getTime() - Date.now() > 29 * 86_400_000)

    const list = await run(runKeys, ['list'])
    assert.equal(list.code, 0)
    assert.match(list.stdout, /^ID +PREFIX +NAME +ROLE +MODELS +STATUS +CREATED +EXPIRES$/m)
    assert.match(list.stdout, new RegExp(`^${id} +${stored.prefix} +ci-bot +consumer +mlp,simple +active `, 'm'))
    assert.ok(!list.stdout.includes(created.stdout.slice(14)))
    const show = await run(runKeys, ['show', id, '--json'])
    assert.equal(JSON.parse(show.stdout).name, 'ci-bot')
    assert.equal(JSON.parse(show.stdout).key, undefined)
  })

  test('rotate prints the new key and when the old one stops; revoke revokes; list --all shows revoked keys', async () => {
    const created = await run(runKeys, ['create', '--role', 'publisher', '--json'])
    const { id, key } = JSON.parse(created.stdout)
    assert.match(key, /^maas_/)
    const rotated = await run(runKeys, ['rotate', id, '--grace', '2h'])
    assert.equal(rotated.code, 0, rotated.stderr)
    assert.match(rotated.stdout, /^maas_/)
    assert.notEqual(rotated.stdout, key)
    assert.match(rotated.stderr, new RegExp(`^rotated ${id} → key [0-9a-f-]{36} 'key-[a-z2-7]{8}' \\(publisher\\); the old key works until `))
    const old = await server.server.keys.get(id)
    assert.ok(Math.abs(old.expiresAt!.getTime() - Date.now() - 7_200_000) < 60_000)

    const revoked = await run(runKeys, ['revoke', id])
    assert.equal(revoked.code, 0)
    assert.match(revoked.stdout, new RegExp(`^revoked key ${id} .* at `))
    assert.ok(!(await run(runKeys, ['list'])).stdout.includes(id))
    assert.match((await run(runKeys, ['list', '--all'])).stdout, new RegExp(`^${id} .* revoked `, 'm'))
  })

  test('exit 1 with the server message when it refuses, 2 for a bad command line', async () => {
    const missing = await run(runKeys, ['revoke', 'nope'])
    assert.deepEqual([missing.code, missing.stderr], [1, "maas keys revoke: API key 'nope' is not found (HTTP 404)"])
    const badRole = await run(runKeys, ['create', '--role', 'root'])
    assert.equal(badRole.code, 1)
    assert.match(badRole.stderr, /key role 'root' must be one of admin, publisher, consumer \(HTTP 400\)/)
    assert.equal((await run(runKeys, ['create'])).code, 2)
    assert.match((await run(runKeys, ['rotate', 'x', '--grace', 'soon'])).stderr, /--grace must be a duration such as 90s, 15m, 1h, 30d or 2w, got 'soon'/)
    assert.equal((await run(runKeys, ['frobnicate'])).code, 2)
    assert.equal((await run(runKeys, ['list', '--bogus'])).code, 2)
    const unreachable = await runKeys(['list', '--url', 'http://127.0.0.1:1'], { stdout: () => {}, stderr: () => {}, env: {} })
    assert.equal(unreachable, 1)
  })

  test('sends --api-key, or else MAAS_API_KEY, as Authorization: Bearer', async () => {
    const seen: IncomingHttpHeaders[] = []
    const probe = createServer((request, response) => {
      seen.push(request.headers)
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"keys":[],"usage":[],"totals":{}}')
    })
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
    const io = (env: NodeJS.ProcessEnv) => ({ stdout: () => {}, stderr: () => {}, env })
    try {
      await runKeys(['list', '--url', url, '--api-key', 'maas_flag'], io({ MAAS_API_KEY: 'maas_env' }))
      await runKeys(['list'], io({ MAAS_API_KEY: 'maas_env', MAAS_URL: url }))
      await runUsage(['--url', url], io({}))
    } finally {
      probe.close()
    }
    assert.deepEqual(seen.map((headers) => headers.authorization), ['Bearer maas_flag', 'Bearer maas_env', undefined])
  })
})

describe('maas usage', () => {
  test('prints usage per day, key, model and version with totals, or the JSON', async () => {
    const batch = { inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'INT32', shape: [2, 16], data: Array.from({ length: 32 }, (_, i) => i) })) }
    assert.equal((await postJson(`${server.url}/v2/models/simple/infer`, batch)).status, 200)
    const table = await run(runUsage, ['--model', 'simple'])
    assert.equal(table.code, 0, table.stderr)
    const today = new Date().toISOString().slice(0, 10)
    assert.match(table.stdout, /^DAY +KEY +MODEL +VERSION +REQUESTS +SAMPLES +ERRORS +COMPUTE_S$/m)
    assert.match(table.stdout, new RegExp(`^${today} +anonymous +simple +1 +1 +2 +0 +\\d+\\.\\d+$`, 'm'))
    assert.match(table.stdout, /^total +1 +2 +0 +\d+\.\d+$/m)
    const json = JSON.parse((await run(runUsage, ['--key', 'anonymous', '--from', today, '--to', today, '--json'])).stdout)
    assert.equal(json.totals.samples >= 2, true)
    assert.equal((await run(runUsage, ['--model', 'nothing-here'])).stdout, '(none)')
    const bad = await run(runUsage, ['--from', '2030-13-01'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^maas usage: usage: 'from' must be a day written YYYY-MM-DD/)
  })
})

describe('the maas binary', () => {
  test('dispatches keys and usage, and keys generate prints a fresh key offline', () => {
    const generated = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'maas.js'), 'keys', 'generate'], { encoding: 'utf8' })
    assert.equal(generated.status, 0, generated.stderr)
    assert.match(generated.stdout, /^maas_[a-z2-7]{8}_[A-Za-z0-9_-]{43}\n$/)
    const help = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'maas.js'), 'usage', '--help'], { encoding: 'utf8' })
    assert.equal(help.status, 0)
    assert.match(help.stdout, /--from DAY/)
  })
})
