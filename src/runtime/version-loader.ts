/**
 * @module runtime/version-loader
 * Turns one version folder into a ServedVersion: load an ORT session, check the batch
 * dimension, warm it up (measuring how long a batch-1 run takes), choose where instances run
 * (main thread for fast models, worker threads for slow ones, unless config.json says), and
 * put a DynamicBatcher in front of the instances.
 */
import { availableParallelism } from 'node:os'
import type { ModelSignature } from '../onnx/onnx-signature.ts'
import { DynamicBatcher } from './dynamic-batcher.ts'
import type { Engine, EngineOptions, LoadedModel } from './engine.ts'
import type { ModelConfig } from './model-config.ts'
import type { InstanceExecutor } from './scheduler.ts'
import { ServedVersion, type ExecutionObserver } from './served-version.ts'
import { DEFAULT_WARMUP, buildWarmupRequests, type WarmupRequest } from './warmup.ts'
import { WorkerExecutor } from './worker-executor.ts'

/**
 * A model whose typical execution takes at least this long runs in worker threads when
 * config.json leaves `instance_group` to maas: below it, the thread hop costs more than the
 * event-loop time it saves. Typical: batch 1, or the largest batch (up to 32) the dynamic
 * batcher may form, since that is how long one execution would hold the event loop.
 */
export const WORKER_THRESHOLD_MS = 1

/** The batch timed to decide where a batching model runs. */
const PLANNING_BATCH_LIMIT = 32

export interface VersionLoadContext {
  readonly modelName: string
  readonly version: number
  readonly modelPath: string
  readonly modelDirectory: string
  readonly config: ModelConfig
  readonly engineOptions: EngineOptions
  readonly engine: Engine
  readonly observer?: ExecutionObserver
  readonly log?: (details: object, message: string) => void
}

export async function loadVersion(context: VersionLoadContext): Promise<ServedVersion> {
  const { config, engine, engineOptions, modelPath } = context
  const primary = await engine.load(modelPath, engineOptions)
  let executors: InstanceExecutor[] = []
  try {
    checkBatchDimension(primary.signature, config)
    const warmups = await buildWarmupRequests(primary.signature, config.warmup ?? DEFAULT_WARMUP, {
      maxBatchSize: config.maxBatchSize,
      modelDirectory: context.modelDirectory,
    })
    let warmupMs = await runWarmup(primary, warmups, config.warmup === undefined, context)
    if (config.dynamicBatching !== undefined && config.maxBatchSize > 1 && config.instanceGroup.thread === 'auto') {
      warmupMs = Math.max(warmupMs, await timeLargestBatch(primary, config, context))
    }
    const plan = planInstances(config, engineOptions, warmupMs)
    context.log?.({ model: context.modelName, version: context.version, warmupMs: round(warmupMs), ...plan }, 'model instances planned')
    if (plan.thread === 'main') {
      executors = [{ execute: (request) => primary.execute(request), close: () => primary.unload() }]
    } else {
      executors = await Promise.all(Array.from({ length: plan.count }, () => WorkerExecutor.start(modelPath, engineOptions)))
      for (const executor of executors) {
        for (const { request, count } of warmups) for (let run = 0; run < count; run++) await executor.execute(request)
      }
      await primary.unload()
    }
    const scheduler = new DynamicBatcher(
      {
        modelName: context.modelName,
        maxBatchSize: config.maxBatchSize,
        batching: config.dynamicBatching !== undefined && config.maxBatchSize > 0,
        maxQueueDelayMicros: config.dynamicBatching?.maxQueueDelayMicros ?? 0,
        preferredBatchSizes: config.dynamicBatching?.preferredBatchSizes ?? [],
        maxQueueSize: config.dynamicBatching?.maxQueueSize ?? 0,
        defaultTimeoutMicros: config.dynamicBatching?.defaultTimeoutMicros ?? 0,
        allowTimeoutOverride: config.dynamicBatching?.allowTimeoutOverride ?? true,
        timeoutAction: config.dynamicBatching?.timeoutAction ?? 'REJECT',
        priorityLevels: config.dynamicBatching?.priorityLevels ?? 0,
        defaultPriorityLevel: config.dynamicBatching?.defaultPriorityLevel ?? 0,
        onExecution: context.observer,
      },
      executors,
    )
    return new ServedVersion(context.modelName, context.version, primary.signature, config, scheduler, executors, plan)
  } catch (error) {
    await Promise.all(executors.map((executor) => executor.close().catch(() => undefined)))
    await primary.unload().catch(() => undefined)
    throw error
  }
}

/**
 * Runs every warm-up sample; returns the fastest run in ms (the first pays for lazy
 * initialisation, and the event loop may be busy with other models' traffic).
 */
async function runWarmup(model: LoadedModel, warmups: readonly WarmupRequest[], isDefault: boolean, context: VersionLoadContext): Promise<number> {
  let fastestMs = Infinity
  for (const { sample, request, count } of warmups) {
    for (let run = 0; run < count + (isDefault ? 2 : 0); run++) {
      const started = performance.now()
      try {
        await model.execute(request)
      } catch (error) {
        // A configured warm-up must pass; the default guess of zero inputs may not fit every model.
        if (!isDefault) throw new Error(`warm-up sample '${sample}' failed: ${(error as Error).message}`, { cause: error })
        context.log?.({ model: context.modelName, version: context.version, reason: (error as Error).message }, 'default warm-up failed; set model_warmup in config.json')
        return 0
      }
      fastestMs = Math.min(fastestMs, performance.now() - started)
    }
  }
  return Number.isFinite(fastestMs) ? fastestMs : 0
}

/** The fastest of two zero-filled runs at the largest batch the batcher may form (capped); 0 if the model cannot take zeros. */
async function timeLargestBatch(model: LoadedModel, config: ModelConfig, context: VersionLoadContext): Promise<number> {
  const batchSize = Math.min(config.maxBatchSize, PLANNING_BATCH_LIMIT)
  const [sample] = await buildWarmupRequests(model.signature, [{ name: 'planning batch', batchSize, count: 1, inputs: {} }], {
    maxBatchSize: config.maxBatchSize,
    modelDirectory: context.modelDirectory,
  })
  let fastest = Infinity
  for (let run = 0; run < 2; run++) {
    const started = performance.now()
    try {
      await model.execute(sample!.request)
    } catch {
      return 0
    }
    fastest = Math.min(fastest, performance.now() - started)
  }
  return fastest
}

export interface InstancePlan {
  readonly thread: 'main' | 'worker'
  readonly count: number
}

/** Worker instances for slow models, one per core but one (left to the event loop), unless configured. */
export function planInstances(config: ModelConfig, engine: EngineOptions, warmupMs: number, cores = availableParallelism()): InstancePlan {
  const group = config.instanceGroup
  const thread = group.thread !== 'auto' ? group.thread : group.count !== 'auto' && group.count > 1 ? 'worker' : warmupMs >= WORKER_THRESHOLD_MS ? 'worker' : 'main'
  if (thread === 'main') return { thread, count: 1 }
  const count = group.count !== 'auto' ? group.count : Math.max(1, Math.floor((cores - 1) / engine.intraOpThreads))
  return { thread, count }
}

/** A batching model's inputs must have a dynamic (or large enough) first dimension. */
function checkBatchDimension(signature: ModelSignature, config: ModelConfig): void {
  if (config.maxBatchSize === 0) return
  for (const input of signature.inputs) {
    if (input.shape.length === 0 || (input.shape[0] !== -1 && input.shape[0]! < config.maxBatchSize)) {
      throw new Error(`max_batch_size is ${config.maxBatchSize} but input '${input.name}' has no dynamic first dimension (shape [${input.shape.join(', ')}])`)
    }
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
