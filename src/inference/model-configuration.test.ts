import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_MODEL_CONFIG } from '../runtime/model-config.ts'
import type { ServedVersion } from '../runtime/served-version.ts'
import { tritonModelConfig } from './model-configuration.ts'

const served = (config: object, inputs: object[], outputs: object[]) =>
  ({ modelName: 'm', version: 1, signature: { inputs, outputs, metadata: {} }, config: { ...DEFAULT_MODEL_CONFIG, ...config }, instances: { thread: 'worker', count: 2 } }) as unknown as ServedVersion

test('batched tensors lose the batch dimension; a batched rank-1 tensor is dims [1] reshaped to [], as Triton writes it', () => {
  const config = tritonModelConfig(
    served(
      { maxBatchSize: 8, versionPolicy: { kind: 'specific', versions: [1, 3] } },
      [{ name: 'image', datatype: 'FP16', shape: [-1, 28, 28] }, { name: 'id', datatype: 'INT64', shape: [-1] }],
      [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
    ),
  )
  assert.deepEqual(config.input, [
    { name: 'image', data_type: 'TYPE_FP16', format: 'FORMAT_NONE', dims: [28, 28], is_shape_tensor: false, allow_ragged_batch: false, optional: false },
    { name: 'id', data_type: 'TYPE_INT64', format: 'FORMAT_NONE', dims: [1], reshape: { shape: [] }, is_shape_tensor: false, allow_ragged_batch: false, optional: false },
  ])
  assert.deepEqual(config.output, [{ name: 'text', data_type: 'TYPE_STRING', dims: [1], reshape: { shape: [] }, label_filename: '', is_shape_tensor: false }])
  assert.deepEqual(config.version_policy, { specific: { versions: [1, 3] } })
  assert.deepEqual(config.instance_group, [{ name: 'm_worker', kind: 'KIND_CPU', count: 2, gpus: [], profile: [], passive: false, host_policy: '' }])
  assert.equal(config.dynamic_batching, undefined)
})

test('unbatched tensors keep their shape, an undeclared rank is [-1], and dynamic batching shows the queue policy in force', () => {
  const batching = { preferredBatchSizes: [4], maxQueueDelayMicros: 100, maxQueueSize: 16, defaultTimeoutMicros: 0, timeoutAction: 'REJECT', allowTimeoutOverride: true, priorityLevels: 2, defaultPriorityLevel: 1 }
  const config = tritonModelConfig(served({ maxBatchSize: 0, dynamicBatching: batching }, [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }], [{ name: 'y', datatype: 'FP32', shape: [], rankUnknown: true }]))
  assert.deepEqual((config.input as { dims: number[] }[])[0]!.dims, [-1, 3])
  assert.deepEqual((config.output as { dims: number[] }[])[0]!.dims, [-1])
  assert.deepEqual(config.dynamic_batching, {
    preferred_batch_size: [4],
    max_queue_delay_microseconds: 100,
    preserve_ordering: false,
    priority_levels: 2,
    default_priority_level: 1,
    default_queue_policy: { timeout_action: 'REJECT', default_timeout_microseconds: 0, allow_timeout_override: true, max_queue_size: 16 },
  })
})
