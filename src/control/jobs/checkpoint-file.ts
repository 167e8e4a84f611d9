/**
 * @module control/jobs/checkpoint-file
 * A training checkpoint on disk: `MAASCKPT`, a little-endian uint32 header length, a JSON
 * header (epoch, step, the epoch history so far, and each tensor's name and length), zero
 * padding to a multiple of 4, then the raw Float32 values in header order. Written to a
 * temporary file, fsynced and renamed into place (and the folder fsynced), so a reader sees a
 * whole checkpoint or the previous one, even when the writer is killed with -9.
 */
import { open, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { MaasError } from '../../core/errors.ts'
import type { Checkpoint, EpochLogs } from '../../training/trainer/trainer.ts'

const MAGIC = Buffer.from('MAASCKPT', 'latin1')

interface CheckpointHeader {
  readonly format: 1
  readonly epoch: number
  readonly step: number
  readonly history: readonly EpochLogs[]
  readonly tensors: readonly { readonly name: string; readonly length: number }[]
}

/** A checkpoint with the epoch history that led to it. */
export interface CheckpointWithHistory extends Checkpoint {
  readonly history: readonly EpochLogs[]
}

/** A checkpoint file that cannot be read back. */
export class CheckpointCorruptError extends MaasError {
  constructor(file: string, reason: string) {
    super('FAILED_PRECONDITION', `checkpoint ${file} cannot be read: ${reason}`)
  }
}

/** `<jobDir>/checkpoint-<epoch>.bin`. */
/** A job's working folder: its checkpoints and exported model, under the server's data dir. */
export function jobDirectory(dataDir: string, id: string): string {
  return path.join(dataDir, 'jobs', id)
}

export function checkpointPath(jobDir: string, epoch: number): string {
  return path.join(jobDir, `checkpoint-${epoch}.bin`)
}

/** Writes the checkpoint atomically; returns its path. */
export async function writeCheckpointFile(file: string, checkpoint: CheckpointWithHistory): Promise<string> {
  const tensors = [...checkpoint.values].map(([name, values]) => ({ name, length: values.length }))
  const header: CheckpointHeader = { format: 1, epoch: checkpoint.epoch, step: checkpoint.step, history: checkpoint.history, tensors }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const padding = (4 - ((MAGIC.length + 4 + json.length) % 4)) % 4
  const length = Buffer.alloc(4)
  length.writeUInt32LE(json.length + padding)
  const chunks: Uint8Array[] = [MAGIC, length, json, Buffer.alloc(padding, 0x20)]
  for (const values of checkpoint.values.values()) chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
  const tmp = `${file}.${process.pid}.tmp`
  const handle = await open(tmp, 'w')
  try {
    await handle.writev(chunks)
    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(tmp, { force: true })
    throw error
  }
  await handle.close()
  await rename(tmp, file)
  await syncDirectory(path.dirname(file))
  return file
}

/** Reads a checkpoint written by writeCheckpointFile; CheckpointCorruptError when it is not one. */
export async function readCheckpointFile(file: string): Promise<CheckpointWithHistory> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new CheckpointCorruptError(file, error.code ?? error.message)
  })
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new CheckpointCorruptError(file, 'not a maas checkpoint')
  const headerLength = bytes.readUInt32LE(MAGIC.length)
  const dataStart = MAGIC.length + 4 + headerLength
  if (dataStart > bytes.length || dataStart % 4 !== 0) throw new CheckpointCorruptError(file, 'truncated header')
  let header: CheckpointHeader
  try {
    header = JSON.parse(bytes.subarray(MAGIC.length + 4, dataStart).toString('utf8')) as CheckpointHeader
  } catch (error) {
    throw new CheckpointCorruptError(file, `bad header: ${(error as Error).message}`)
  }
  if (header.format !== 1) throw new CheckpointCorruptError(file, `unknown format ${String(header.format)}`)
  const total = header.tensors.reduce((sum, tensor) => sum + tensor.length, 0)
  if (bytes.length !== dataStart + total * 4) throw new CheckpointCorruptError(file, `${bytes.length - dataStart} bytes of values for ${total} floats`)
  // Copy once into an aligned buffer: Buffer's pool offset need not be a multiple of 4.
  const all = new Float32Array(total)
  new Uint8Array(all.buffer).set(bytes.subarray(dataStart))
  const values = new Map<string, Float32Array>()
  let offset = 0
  for (const tensor of header.tensors) {
    values.set(tensor.name, all.subarray(offset, offset + tensor.length))
    offset += tensor.length
  }
  return { epoch: header.epoch, step: header.step, history: header.history, values }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined)
  try {
    await handle?.sync()
  } catch {
    // Some platforms cannot fsync a folder; the rename is atomic there all the same.
  } finally {
    await handle?.close()
  }
}
