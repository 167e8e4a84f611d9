/**
 * Checkpoint files: a round trip keeps every value, the step and the history; anything but a
 * whole checkpoint is refused with the file's name.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import { checkpointPath, readCheckpointFile, writeCheckpointFile } from './checkpoint-file.ts'

const dir = mkdtempSync(path.join(os.tmpdir(), 'maas-ckpt-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const history = [{ epoch: 1, loss: 0.5, metrics: { accuracy: 0.8 }, samplesPerSecond: 1000, seconds: 0.1 }]
const values = new Map([['dense/kernel', Float32Array.from([1.5, -2, 3.25])], ['dense/bias', Float32Array.from([0.125])], ['step_slot', new Float32Array(0)]])

test('writes and reads back epoch, step, history and every tensor', async () => {
  const file = await writeCheckpointFile(checkpointPath(dir, 1), { epoch: 1, step: 250, values, history })
  assert.equal(path.basename(file), 'checkpoint-1.bin')
  const read = await readCheckpointFile(file)
  assert.deepEqual([read.epoch, read.step, read.history], [1, 250, history])
  assert.deepEqual([...read.values.keys()], [...values.keys()])
  for (const [name, data] of values) assert.deepEqual(read.values.get(name), data)
})

test('refuses truncated, foreign and missing files, naming them', async () => {
  const file = await writeCheckpointFile(checkpointPath(dir, 2), { epoch: 2, step: 500, values, history })
  const bytes = readFileSync(file)
  writeFileSync(path.join(dir, 'truncated.bin'), bytes.subarray(0, bytes.length - 4))
  writeFileSync(path.join(dir, 'foreign.bin'), 'not a checkpoint at all')
  await assert.rejects(readCheckpointFile(path.join(dir, 'truncated.bin')), /truncated\.bin cannot be read: \d+ bytes of values for 4 floats/)
  await assert.rejects(readCheckpointFile(path.join(dir, 'foreign.bin')), /foreign\.bin cannot be read: not a maas checkpoint/)
  await assert.rejects(readCheckpointFile(path.join(dir, 'missing.bin')), /missing\.bin cannot be read: ENOENT/)
})
