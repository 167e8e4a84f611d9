/**
 * @module server/http/tfserving/tfserving-json-shape
 * Infers a tensor's shape from a nested JSON list and flattens it to its leaves in row-major
 * order. Like TF-Serving, the shape follows the first element at each level; every other
 * list must then match it, and a ragged one is reported with its position.
 */
import { InvalidArgumentError } from '../../../core/errors.ts'
import type { JsonValue } from './tfserving-json-parser.ts'

/** A nested JSON list as shape plus row-major leaves. A scalar has shape []. */
export interface FlatJsonTensor {
  readonly shape: number[]
  readonly leaves: JsonValue[]
}

/**
 * Flattens `value`, which the request holds at `where` (e.g. `inputs.x`, `instances[2]`), for
 * input `name`; a list that is not rectangular gets an InvalidArgumentError naming both.
 */
export function flattenJsonTensor(name: string, value: JsonValue, where: string): FlatJsonTensor {
  const shape: number[] = []
  for (let level: JsonValue = value; Array.isArray(level); level = level[0] ?? null) {
    shape.push(level.length)
    if (level.length === 0) break
  }
  const leaves: JsonValue[] = []
  const position: number[] = []
  const ragged = (problem: string): never => {
    const path = position.map((index) => `[${index}]`).join('')
    throw new InvalidArgumentError(
      `input '${name}' is not a rectangular list: ${where}${path} ${problem} (shape ${formatShape(shape)} from the first elements)`,
    )
  }
  const walk = (item: JsonValue, level: number): void => {
    const expected = shape[level]
    if (expected === undefined) {
      if (Array.isArray(item)) ragged('is a list where a value is expected')
      leaves.push(item)
      return
    }
    if (!Array.isArray(item)) return ragged(`is a value where a list of ${expected} is expected`)
    if (item.length !== expected) ragged(`has ${item.length} elements where ${expected} are expected`)
    position.push(0)
    for (let index = 0; index < item.length; index++) {
      position[level] = index
      walk(item[index]!, level + 1)
    }
    position.pop()
  }
  walk(value, 0)
  return { shape, leaves }
}

/** Formats a shape as TF-Serving does in its messages: [2,3]. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`
}
