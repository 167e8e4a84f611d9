/**
 * @module inference/model-configuration
 * Triton's model configuration extension: the configuration a served version runs with, as
 * Triton's ModelConfig (model_config.proto, field names in snake_case, enums by name),
 * with what Triton fills in by auto-completion: the inputs and outputs read from the ONNX
 * model (dims without the batch dimension when max_batch_size > 0), the dynamic batching and
 * queue policy in force, and the instance group maas chose. Not reported: model_warmup, and
 * label_filename (maas' labels come from config.json or the ONNX metadata, not a file).
 * Clients such as tritonclient's get_model_config, perf_analyzer and Triton's example
 * clients read max_batch_size and the tensor dims from here.
 */
import type { Datatype } from '../core/datatypes.ts'
import type { TensorSpec } from '../onnx/onnx-signature.ts'
import type { ServedVersion } from '../runtime/served-version.ts'

/** ModelConfig as a plain object: proto field names, enum names, 64-bit integers as numbers. */
export type TritonModelConfig = Record<string, unknown>

/** Triton's DataType enum names; BYTES is TYPE_STRING there. */
function tritonDataType(datatype: Datatype): string {
  return datatype === 'BYTES' ? 'TYPE_STRING' : `TYPE_${datatype}`
}

/**
 * Dims without the batch dimension when batched; an undeclared rank is [-1]. A batched tensor
 * of rank 1 has no dims left; Triton writes it as dims [1] reshaped to [] (its model
 * configuration docs, "Reshape").
 */
function tensorDims(spec: TensorSpec, batched: boolean): { dims: number[]; reshape?: { shape: number[] } } {
  if (spec.rankUnknown) return { dims: [-1] }
  if (!batched) return { dims: [...spec.shape] }
  return spec.shape.length === 1 ? { dims: [1], reshape: { shape: [] } } : { dims: spec.shape.slice(1) }
}

/** The ModelConfig of one served version. */
export function tritonModelConfig(served: ServedVersion): TritonModelConfig {
  const { config, signature } = served
  const batched = config.maxBatchSize > 0
  const policy = config.versionPolicy
  const batching = config.dynamicBatching
  return {
    name: served.modelName,
    platform: 'onnxruntime_onnx',
    backend: 'onnxruntime',
    version_policy:
      policy.kind === 'latest' ? { latest: { num_versions: policy.count } } : policy.kind === 'all' ? { all: {} } : { specific: { versions: [...policy.versions] } },
    max_batch_size: config.maxBatchSize,
    input: signature.inputs.map((spec) => ({
      name: spec.name,
      data_type: tritonDataType(spec.datatype),
      format: 'FORMAT_NONE',
      ...tensorDims(spec, batched),
      is_shape_tensor: false,
      allow_ragged_batch: false,
      optional: false,
    })),
    output: signature.outputs.map((spec) => ({
      name: spec.name,
      data_type: tritonDataType(spec.datatype),
      ...tensorDims(spec, batched),
      label_filename: '',
      is_shape_tensor: false,
    })),
    ...(batching
      ? {
          dynamic_batching: {
            preferred_batch_size: [...batching.preferredBatchSizes],
            max_queue_delay_microseconds: batching.maxQueueDelayMicros,
            preserve_ordering: false,
            priority_levels: batching.priorityLevels,
            default_priority_level: batching.defaultPriorityLevel,
            default_queue_policy: {
              timeout_action: batching.timeoutAction,
              default_timeout_microseconds: batching.defaultTimeoutMicros,
              allow_timeout_override: batching.allowTimeoutOverride,
              max_queue_size: batching.maxQueueSize,
            },
          },
        }
      : {}),
    // Triton's instance kinds know no worker threads; the thread maas chose is in the name.
    instance_group: [{ name: `${served.modelName}_${served.instances.thread}`, kind: 'KIND_CPU', count: served.instances.count, gpus: [], profile: [], passive: false, host_policy: '' }],
    default_model_filename: 'model.onnx',
  }
}
