/**
 * @module bench/echo-child
 * The bare-HTTP baseline: a node:http server that reads the whole request body and writes
 * it back with the same content type — the cost of HTTP and body transfer with no parsing
 * and no inference. Prints `{"port": N}` and stops on SIGTERM.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    const body = Buffer.concat(chunks)
    response.writeHead(200, { 'Content-Type': request.headers['content-type'] ?? 'application/octet-stream', 'Content-Length': body.length })
    response.end(body)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }))
})
process.on('SIGTERM', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
