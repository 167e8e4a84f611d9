/**
 * @module server/auth/api-key
 * API keys as a request presents them: the parsing of the `Authorization: Bearer <key>`
 * header (REST) or `authorization` metadata (gRPC), refusing malformed ones with
 * UNAUTHENTICATED. The format, generation, hashing and verification of keys are the control
 * plane's (control/api-key), which mints them; they are re-exported here for the
 * authenticator and its callers.
 */
import { API_KEY_FORMAT, splitApiKey, type ParsedApiKey } from '../../control/api-key.ts'
import { UnauthenticatedError } from './auth-errors.ts'

export {
  API_KEY_PREFIX_LENGTH, API_KEY_SCHEME, API_KEY_SECRET_BYTES, describeApiKey, generateApiKey, hashApiKey, verifyApiKey,
  type ApiKeyHashOptions, type GeneratedApiKey, type ParsedApiKey,
} from '../../control/api-key.ts'

/** Scheme, then the rest after the first run of spaces. */
const AUTHORIZATION = /^(\S*)(?:\s+(.*))?$/s
const SCHEME = /^[A-Za-z][\w.+-]{0,31}$/
const MALFORMED = `malformed API key: expected ${API_KEY_FORMAT}`

/** Splits a key into prefix and secret; UNAUTHENTICATED ("malformed API key") when it is not one. */
export function parseApiKey(key: string): ParsedApiKey {
  const parsed = splitApiKey(key)
  if (parsed === null) throw new UnauthenticatedError(MALFORMED)
  return parsed
}

/**
 * The key in an `Authorization` header or `authorization` gRPC metadata value(s).
 * UNAUTHENTICATED with a message saying what is wrong; the message never echoes the value.
 */
export function parseAuthorizationHeader(value: string | readonly string[] | undefined): string {
  const values = value === undefined ? [] : typeof value === 'string' ? [value] : value
  if (values.length === 0 || (values.length === 1 && values[0]!.trim() === '')) {
    throw new UnauthenticatedError("missing Authorization header; send 'Authorization: Bearer <API key>'")
  }
  if (values.length > 1) throw new UnauthenticatedError('more than one Authorization header; send exactly one')
  const [, scheme = '', token = ''] = AUTHORIZATION.exec(values[0]!.trim()) ?? []
  if (scheme.toLowerCase() !== 'bearer') {
    throw new UnauthenticatedError(
      // Only a scheme followed by credentials is named: a lone word may be a bare secret.
      token !== '' && SCHEME.test(scheme)
        ? `unsupported authorization scheme '${scheme}'; expected 'Bearer <API key>'`
        : "malformed Authorization header; expected 'Bearer <API key>'",
    )
  }
  if (token === '') throw new UnauthenticatedError("empty bearer token; expected 'Bearer <API key>'")
  parseApiKey(token)
  return token
}
