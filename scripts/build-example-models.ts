/**
 * Writes the embedded default model repository (model-repository/): Triton's quick-start
 * "simple" add/sub model. Run with `npm run build:models`; a test checks the committed
 * files match what this script builds.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { buildSimpleAddSub } from '../src/onnx/example-models.ts'

export const EXAMPLE_REPOSITORY = path.resolve(import.meta.dirname, '..', 'model-repository')

export function exampleModelFiles(): Record<string, Uint8Array | string> {
  return {
    'simple/1/model.onnx': buildSimpleAddSub('INT32', { metadata: { description: "Triton's quick-start model: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1" } }),
    'simple/config.json': `${JSON.stringify({ platform: 'onnxruntime_onnx', max_batch_size: 8 }, null, 2)}\n`,
  }
}

if (process.argv[1] === import.meta.filename) {
  for (const [relative, content] of Object.entries(exampleModelFiles())) {
    const file = path.join(EXAMPLE_REPOSITORY, relative)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, content)
    console.log(`wrote ${path.relative(process.cwd(), file)}`)
  }
}
