/**
 * @module runtime/model-repository
 * Reads a Triton-layout folder: `<repo>/<model>/<version>/model.onnx` with integer version
 * folders and an optional `<repo>/<model>/config.json`. Reading is cheap and side-effect
 * free; the ModelManager decides what to load.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { DEFAULT_MODEL_CONFIG, parseModelConfig } from './model-config.ts'
import type { ModelSource, SourceModel } from './model-source.ts'

export const MODEL_FILE_NAME = 'model.onnx'

/** A model as found on disk. `configError` is set when config.json could not be used. */
export type RepositoryModel = SourceModel

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/** True for names that are safe as a folder name and in a URL path segment. */
export function isValidModelName(name: string): boolean {
  return MODEL_NAME.test(name) && name.length <= 128
}

/** The ModelSource of a Triton-layout folder. */
export class ModelRepository implements ModelSource {
  constructor(readonly root: string) {}

  /** Model names in the repository, sorted. A missing repository folder holds no models. */
  async list(): Promise<string[]> {
    let entries
    try {
      entries = await readdir(this.root, { withFileTypes: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    return entries
      .filter((entry) => entry.isDirectory() && isValidModelName(entry.name))
      .map((entry) => entry.name)
      .sort()
  }

  /** Reads one model, or undefined when the repository has no such folder. */
  async read(name: string): Promise<RepositoryModel | undefined> {
    if (!isValidModelName(name)) return undefined
    const directory = path.join(this.root, name)
    let entries
    try {
      entries = await readdir(directory, { withFileTypes: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined
      throw error
    }
    const versions: number[] = []
    for (const entry of entries) {
      if (!entry.isDirectory() || !/^(0|[1-9]\d*)$/.test(entry.name)) continue
      if (await isFile(path.join(directory, entry.name, MODEL_FILE_NAME))) versions.push(Number(entry.name))
    }
    versions.sort((a, b) => b - a)
    let config = DEFAULT_MODEL_CONFIG
    let configError: string | undefined
    try {
      config = parseModelConfig(await readFile(path.join(directory, 'config.json'), 'utf8'))
      if (config.name !== undefined && config.name !== name) {
        throw new Error(`config.json: name '${config.name}' does not match the folder name '${name}'`)
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') configError = (error as Error).message
    }
    return { name, directory, versions, config, ...(configError ? { configError } : {}) }
  }

  modelPath(model: RepositoryModel, version: number): string {
    return path.join(model.directory, String(version), MODEL_FILE_NAME)
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}
