/**
 * @module server/http/tfserving/tfserving-status
 * The JSON bodies of TF-Serving's model status and model metadata APIs: the proto3 JSON form
 * of GetModelStatusResponse and GetModelMetadataResponse, as TF-Serving prints them (default
 * fields included, int64 values as strings, enums by name).
 */
import type { ModelSignature, TensorSpec } from '../../../onnx/onnx-signature.ts'
import { DEFAULT_SIGNATURE_NAME } from './tfserving-predict-decoder.ts'
import { tfDtypeOf } from './tfserving-dtypes.ts'

/** ModelVersionStatus.State names (get_model_status.proto). */
export type TfModelState = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END'

/** One version's state; errorCode is a tensorflow.error.Code name, "OK" when absent. */
export interface TfVersionStatus {
  readonly version: string
  readonly state: TfModelState
  readonly errorMessage?: string
  readonly errorCode?: string
}

/** method_name of a predict SignatureDef. */
const PREDICT_METHOD_NAME = 'tensorflow/serving/predict'

/** GetModelStatusResponse as JSON: {"model_version_status": [{version, state, status}]}. */
export function encodeModelStatus(versions: readonly TfVersionStatus[]): object {
  return {
    model_version_status: versions.map((entry) => ({
      version: entry.version,
      state: entry.state,
      status: { error_code: entry.errorCode ?? 'OK', error_message: entry.errorMessage ?? '' },
    })),
  }
}

/** GetModelMetadataResponse as JSON, with the model's one signature as "serving_default". */
export function encodeModelMetadata(name: string, version: string, signature: ModelSignature): object {
  return {
    model_spec: { name, signature_name: '', version },
    metadata: {
      signature_def: {
        signature_def: {
          [DEFAULT_SIGNATURE_NAME]: {
            inputs: encodeTensorInfoMap(signature.inputs),
            outputs: encodeTensorInfoMap(signature.outputs),
            method_name: PREDICT_METHOD_NAME,
          },
        },
      },
    },
  }
}

function encodeTensorInfoMap(specs: readonly TensorSpec[]): Record<string, object> {
  // fromEntries defines own properties, so even a tensor named "__proto__" stays a plain key.
  return Object.fromEntries(specs.map((spec) => [spec.name, encodeTensorInfo(spec)]))
}

/** TensorInfo: dim sizes are int64, hence strings; -1 marks a dimension that varies. */
function encodeTensorInfo(spec: TensorSpec): object {
  return {
    dtype: tfDtypeOf(spec.datatype),
    tensor_shape: {
      dim: spec.rankUnknown ? [] : spec.shape.map((size) => ({ size: String(size), name: '' })),
      unknown_rank: spec.rankUnknown === true,
    },
    name: spec.name,
  }
}
