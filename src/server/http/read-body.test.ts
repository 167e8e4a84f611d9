import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { PayloadTooLargeError } from '../../core/errors.ts'
import { readBody } from './read-body.ts'

/** A server whose handler waits `delayMs` before reading the body; the client sends `raw` and hangs up after `hangUpMs` (if given). */
async function readOnce(raw: string, { delayMs = 0, hangUpMs, limit = 1024 }: { delayMs?: number; hangUpMs?: number; limit?: number }): Promise<Buffer> {
  let handed: (request: IncomingMessage) => void
  const arrived = new Promise<IncomingMessage>((resolve) => (handed = resolve))
  const server = createServer((request, response) => {
    handed(request)
    response.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write(raw)
  if (hangUpMs !== undefined) setTimeout(() => socket.destroy(), hangUpMs)
  try {
    const request = await arrived
    await sleep(delayMs)
    return await Promise.race([readBody(request, limit), sleep(2000).then(() => Promise.reject(new Error('readBody did not settle')))])
  } finally {
    socket.destroy()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

const head = (length: number) => `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`

test('reads a whole body, in one or several chunks', async () => {
  assert.equal((await readOnce(`${head(5)}hello`, {})).toString(), 'hello')
  assert.equal((await readOnce(`${head(0)}`, {})).length, 0)
})

test('a client that hung up before the body was read rejects at once instead of hanging', async () => {
  await assert.rejects(readOnce(`${head(100)}half`, { hangUpMs: 20, delayMs: 200 }), /Premature close/)
})

test('a client that hangs up mid-body rejects', async () => {
  await assert.rejects(readOnce(`${head(100)}half`, { hangUpMs: 50 }), /Premature close|aborted/)
})

test('a body over the limit is refused: declared at once, streamed as soon as it passes', async () => {
  await assert.rejects(readOnce(`${head(2000)}x`, { limit: 1024 }), PayloadTooLargeError)
  const chunked = `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${'y'.repeat(2048)}\r\n`
  await assert.rejects(readOnce(chunked, { limit: 1024 }), PayloadTooLargeError)
})
