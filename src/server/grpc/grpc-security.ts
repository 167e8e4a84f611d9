/**
 * @module server/grpc/grpc-security
 * Guards every served RPC before its handler runs: the `authorization` metadata names the
 * caller, the policy and limits decide, exactly as on REST. The table below gives each RPC its
 * Action; a served RPC missing from it fails the server's start, so no RPC is reachable
 * without a guard. Unary RPCs are guarded before their handler runs; a streaming RPC's entry
 * is marked `streaming` and its handler admits each message (admitStreamMessage). Errors map through the one gRPC status table (UNAUTHENTICATED,
 * PERMISSION_DENIED, RESOURCE_EXHAUSTED).
 */
import type { Metadata, sendUnaryData, ServerUnaryCall, UntypedHandleCall } from '@grpc/grpc-js'
import type { Action } from '../auth/permissions.ts'
import { ANONYMOUS_ADMIN, type Security } from '../auth/security.ts'
import type { InferenceCaller } from '../../inference/data-plane.ts'
import type { Logger } from '../logger.ts'
import { toServiceError } from './grpc-status.ts'

const callers = new WeakMap<object, InferenceCaller>()

/** The key behind a guarded call, for usage metering; undefined for anonymous callers. */
export function grpcCallerOf(call: object): InferenceCaller | undefined {
  return callers.get(call)
}

interface RpcSecurity {
  readonly action: Action
  /** The model the request names (`name` or `model_name`). */
  readonly model?: (request: Record<string, unknown>) => string | undefined
  /** Samples in an inference request: the first input's dimension 0. */
  readonly samples?: (request: Record<string, unknown>) => number
  /** A streaming RPC: each message is admitted by the handler (admitStreamMessage), not by guardHandlers. */
  readonly streaming?: true
}

const modelName = (request: Record<string, unknown>) => (request.model_name ?? request.name) as string | undefined

/** Samples in an inference request: the first input's dimension 0. */
function inferSamples(request: Record<string, unknown>): number {
  const shape = (request.inputs as { shape?: unknown[] }[] | undefined)?.[0]?.shape
  const first = Number(shape?.[0] ?? 1)
  return Number.isFinite(first) && first > 0 ? first : 1
}

export const RPC_ACTIONS: Readonly<Record<string, RpcSecurity>> = {
  ServerLive: { action: 'health' },
  ServerReady: { action: 'health' },
  'Health/Check': { action: 'health' },
  ServerMetadata: { action: 'server.metadata' },
  ModelReady: { action: 'model.read', model: modelName },
  ModelMetadata: { action: 'model.read', model: modelName },
  ModelConfig: { action: 'model.read', model: modelName },
  ModelInfer: { action: 'model.infer', model: modelName, samples: inferSamples },
  ModelStreamInfer: { action: 'model.infer', model: modelName, samples: inferSamples, streaming: true },
  ModelStatistics: { action: 'statistics.read', model: (request) => (request.name as string | undefined) || undefined },
  RepositoryIndex: { action: 'repository.index' },
  RepositoryModelLoad: { action: 'repository.load', model: modelName },
  RepositoryModelUnload: { action: 'repository.unload', model: modelName },
}

/** Wraps every served unary handler with the guard of its RPC. */
export function guardHandlers(handlers: Record<string, UntypedHandleCall>, security: Security, logger: Logger, prefix = ''): Record<string, UntypedHandleCall> {
  const guarded: Record<string, UntypedHandleCall> = {}
  for (const [name, handler] of Object.entries(handlers)) {
    const rule = RPC_ACTIONS[`${prefix}${name}`]
    if (!rule) throw new Error(`gRPC method ${prefix}${name} has no entry in RPC_ACTIONS (server/grpc/grpc-security.ts)`)
    if (rule.streaming) throw new Error(`gRPC method ${prefix}${name} streams: it admits each message itself (admitStreamMessage), not through guardHandlers`)
    guarded[name] = ((call: ServerUnaryCall<Record<string, unknown>, unknown>, callback: sendUnaryData<unknown>) => {
      admit(call, rule, security).then(
        (release) =>
          (handler as (call: unknown, callback: sendUnaryData<unknown>) => void)(call, (error, value) => {
            release()
            callback(error, value)
          }),
        (error: unknown) => callback(toServiceError(error, logger, name)),
      )
    }) as UntypedHandleCall
  }
  return guarded
}

/** One message to admit: the call's metadata and the request it carries. */
interface Admission {
  readonly metadata: Metadata
  readonly request: Record<string, unknown>
}

/**
 * Admits one message of a streaming RPC (`method` in RPC_ACTIONS) as its unary twin would be:
 * resolves the release of its limits; grpcCallerOf(`admission`) then names its key.
 */
export function admitStreamMessage(admission: Admission, method: string, security: Security): Promise<() => void> {
  return admit(admission, streamingRule(method), security)
}

/** The RPC_ACTIONS entry of a streaming RPC; throws (at server start, when its handler is made) if it has none. */
export function streamingRule(method: string): RpcSecurity {
  const rule = RPC_ACTIONS[method]
  if (!rule?.streaming) throw new Error(`gRPC method ${method} has no streaming entry in RPC_ACTIONS (server/grpc/grpc-security.ts)`)
  return rule
}

async function admit(call: Admission, rule: RpcSecurity, security: Security) {
  const authorization = call.metadata.get('authorization').map(String)
  const principal = await security.identify(authorization.length === 0 ? undefined : authorization.length === 1 ? authorization[0] : authorization, rule.action)
  if (principal && principal.keyId !== ANONYMOUS_ADMIN.keyId) callers.set(call, { keyId: principal.keyId })
  const model = rule.model?.(call.request)
  return security.admit(principal, rule.action, { ...(model ? { model } : {}), ...(rule.samples ? { samples: rule.samples(call.request) } : {}) })
}
