/**
 * @module training/datasets/idx-download
 * Fetches one IDX file from a mirror, checks that it decodes before keeping it, and caches
 * it with a temp file + rename, so a cache never holds a partial or corrupt download.
 * The transport is injected (fetchImpl), which keeps this testable offline.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { MaasError } from '../../core/errors.ts'
import { decodeIdx, isGzip, type IdxExpectation, type IdxTensor } from './idx-reader.ts'

/** Where to fetch from and where to keep the file. */
export interface IdxDownload {
  /** URL of the (usually gzipped) file. */
  readonly url: string
  /** Directory to cache into; created when missing. */
  readonly dir: string
  /** File name without '.gz'; '.gz' is added when the bytes are gzipped. */
  readonly baseName: string
  readonly expect: IdxExpectation
  readonly fetchImpl: typeof fetch
  readonly timeoutMs: number
}

/** The transport failed or the server answered with an error status (loadNamedDataset turns it into NOT_FOUND). */
export class IdxDownloadFailedError extends MaasError {
  constructor(readonly url: string, reason: string, options?: ErrorOptions) {
    super('UNAVAILABLE', `download of ${url} failed: ${reason}`, options)
  }
}

/**
 * Downloads, validates (DatasetFormatError if the bytes are not the expected IDX file) and
 * caches one file; returns its decoded contents and the cached path.
 */
export async function downloadIdxFile(download: IdxDownload): Promise<{ tensor: IdxTensor; file: string }> {
  const { url, dir, baseName, expect, fetchImpl, timeoutMs } = download
  let bytes: Uint8Array
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) })
    if (!response.ok) throw new IdxDownloadFailedError(url, `HTTP ${response.status} ${response.statusText}`.trim())
    bytes = new Uint8Array(await response.arrayBuffer())
  } catch (error) {
    if (error instanceof IdxDownloadFailedError) throw error
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const reason = `${(error as Error).message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}`
    throw new IdxDownloadFailedError(url, reason, { cause: error })
  }
  const tensor = decodeIdx(bytes, url, expect)
  const file = path.join(dir, isGzip(bytes) ? `${baseName}.gz` : baseName)
  await mkdir(dir, { recursive: true })
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  try {
    await writeFile(temp, bytes)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  return { tensor, file }
}
