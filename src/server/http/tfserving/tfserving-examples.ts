/**
 * @module server/http/tfserving/tfserving-examples
 * TF-Serving's REST `:classify` and `:regress` (api_rest.md, "Classify and Regress API") for
 * ONNX models. Each example is a batch row whose features are the model's inputs by name;
 * `context` features are shared by every example (and may not repeat in one). The answer is
 * read from the model's output — its only one, or the one named `scores` (classify) or
 * `outputs` (regress):
 * - classify: `{"result": [[[label, score], ...], ...]}`, one pair per class in index order,
 *   labels of the version that ran (config.json `labels`, else the ONNX metadata's; "" where
 *   it has none, as the spec allows);
 * - regress: `{"result": [value, ...]}`, from an output of shape [N] or [N, 1].
 * TF's own method names (`tensorflow/serving/classify`, `…/regress`) are accepted as
 * signature names besides `serving_default`, since an ONNX model has one signature.
 */
import { InvalidArgumentError } from '../../../core/errors.ts'
import type { InferRequest, Tensor } from '../../../core/tensor.ts'
import type { ModelSignature, TensorSpec } from '../../../onnx/onnx-signature.ts'
import { parseTfServingJson, type JsonObject, type JsonValue } from './tfserving-json-parser.ts'
import { checkSignatureName, decodeInstances, decodeUtf8 } from './tfserving-predict-decoder.ts'
import { elementWriterOf } from './tfserving-predict-encoder.ts'
import { describeJson } from './tfserving-json-values.ts'

export type ExampleMethod = 'classify' | 'regress'

/** The output each method reads when the model has several. */
const PREFERRED_OUTPUT: Record<ExampleMethod, string> = { classify: 'scores', regress: 'outputs' }

/** Decodes a `:classify` / `:regress` body into a batch request, one row per example, asking for the output the method reads. */
export function decodeExamplesRequest(body: Buffer, signature: ModelSignature, method: ExampleMethod): InferRequest {
  const output = resultOutput(signature, method)
  const document = parseTfServingJson(decodeUtf8(body))
  if (!(document instanceof Map)) throw new InvalidArgumentError(`JSON value ${describeJson(document)} is not an object; the request body must be a JSON object`)
  checkSignatureName(document.get('signature_name'), [`tensorflow/serving/${method}`])
  const examples = document.get('examples')
  if (!Array.isArray(examples)) throw new InvalidArgumentError(`'examples' must be a list of objects, not ${examples === undefined ? 'missing' : describeJson(examples)}`)
  if (examples.length === 0) throw new InvalidArgumentError("'examples' is an empty list; send at least one example")
  const context = document.get('context') ?? new Map()
  if (!(context instanceof Map)) throw new InvalidArgumentError(`'context' must be an object of features, not ${describeJson(context)}`)
  const rows = examples.map((example, index): JsonObject => {
    if (!(example instanceof Map)) throw new InvalidArgumentError(`examples[${index}] must be an object of features, not ${describeJson(example)}`)
    for (const feature of example.keys()) {
      if (context.has(feature)) throw new InvalidArgumentError(`examples[${index}] repeats feature '${feature}' of 'context'; a context feature must not appear in the examples`)
    }
    return new Map([...context, ...example])
  })
  return { inputs: decodeInstances(rows, signature.inputs), outputs: [{ name: output.name }] }
}

/**
 * The output a method reads, chosen from the signature before anything runs, so that a model
 * it cannot answer for costs no inference: its only output, or the one named `scores` /
 * `outputs`, numeric, and of a shape the method can read where the shape is declared.
 */
export function resultOutput(signature: ModelSignature, method: ExampleMethod): TensorSpec {
  const outputs = signature.outputs
  const chosen = outputs.length === 1 ? outputs[0] : outputs.find((output) => output.name === PREFERRED_OUTPUT[method])
  if (!chosen) {
    throw new InvalidArgumentError(
      `:${method} reads the model's only output, or one named '${PREFERRED_OUTPUT[method]}'; this model has ${outputs.map((output) => `'${output.name}'`).join(', ')} — use :predict`,
    )
  }
  if (chosen.datatype === 'BYTES' || chosen.datatype === 'BOOL') throw new InvalidArgumentError(`output '${chosen.name}' is ${chosen.datatype}; :${method} needs numbers`)
  if (!chosen.rankUnknown) {
    const [, width = 1, ...rest] = chosen.shape
    const fits = chosen.shape.length >= 1 && rest.length === 0 && (method === 'classify' || width === 1)
    if (!fits) throw shapeError(chosen.name, chosen.shape, method)
  }
  return chosen
}

function shapeError(name: string, shape: readonly number[], method: ExampleMethod): InvalidArgumentError {
  const needs = method === 'classify' ? '[examples, classes]' : 'one value per example ([examples] or [examples, 1])'
  return new InvalidArgumentError(`output '${name}' has shape [${shape.join(', ')}]; :${method} needs ${needs}`)
}

/** `{"result": [[[label, score], ...], ...]}` from a scores output of shape [N, classes] (or [N]: one class). */
export function encodeClassifyResponse(scores: Tensor, labels: readonly string[] | undefined): string {
  if (scores.shape.length < 1 || scores.shape.length > 2) throw shapeError(scores.name, scores.shape, 'classify')
  const [rows, classes = 1] = scores.shape as [number, number?]
  const write = elementWriterOf(scores)
  const parts: string[] = []
  for (let row = 0; row < rows; row++) {
    const pairs: string[] = []
    for (let index = 0; index < classes; index++) pairs.push(`[${JSON.stringify(labels?.[index] ?? '')},${write(row * classes + index)}]`)
    parts.push(`[${pairs.join(',')}]`)
  }
  return `{"result":[${parts.join(',')}]}`
}

/** `{"result": [value, ...]}` from an output of shape [N] or [N, 1]. */
export function encodeRegressResponse(values: Tensor): string {
  const [rows, width = 1, ...rest] = values.shape as [number, number?, ...number[]]
  if (values.shape.length < 1 || width !== 1 || rest.length > 0) throw shapeError(values.name, values.shape, 'regress')
  const write = elementWriterOf(values)
  return `{"result":[${Array.from({ length: rows }, (_, row) => write(row)).join(',')}]}`
}
