import assert from 'node:assert/strict'
import { test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { MaasError, ModelNotFoundError } from '../../core/errors.ts'
import { createLogger } from '../logger.ts'
import { GRPC_STATUS, toServiceError } from './grpc-status.ts'

test('maps the codes without a gRPC twin onto the nearest gRPC status', () => {
  assert.equal(GRPC_STATUS.PAYLOAD_TOO_LARGE, status.RESOURCE_EXHAUSTED)
  assert.equal(GRPC_STATUS.UNSUPPORTED_MEDIA_TYPE, status.INVALID_ARGUMENT)
  for (const code of Object.keys(GRPC_STATUS) as (keyof typeof GRPC_STATUS)[]) {
    if (code in status) assert.equal(GRPC_STATUS[code], status[code as keyof typeof status], code)
  }
})

test('keeps the message of a MaasError and hides the cause of anything else', () => {
  const lines: string[] = []
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) })
  const known = toServiceError(new ModelNotFoundError('m'), logger, 'ModelInfer')
  assert.deepEqual([known.code, known.details], [status.NOT_FOUND, "model 'm' is not found"])
  const unknown = toServiceError(new TypeError('secret detail'), logger, 'ModelInfer')
  assert.deepEqual([unknown.code, unknown.details, unknown.message], [status.INTERNAL, 'internal server error', 'internal server error'])
  assert.ok(lines.some((line) => line.includes('secret detail')), 'the cause is logged')
  const internal = toServiceError(new MaasError('UNIMPLEMENTED', 'nope'), logger, 'X')
  assert.equal(internal.code, status.UNIMPLEMENTED)
})
