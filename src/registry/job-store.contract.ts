/**
 * @module registry/job-store.contract
 * Contract cases for the durable job queue: claims, leases, heartbeats, stale recovery.
 * Each test uses its own job kind, so claims never take another test's jobs.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { JobLeaseLostError, JobNotFoundError } from './registry-errors.ts'
import { rejectsWith, type ContractFixture } from './registry-contract-fixture.ts'

export function jobStoreContract(fx: ContractFixture): void {
  describe('jobs', () => {
    const lease = 30_000

    it('enqueues a job QUEUED and reads it back', async () => {
      const job = await fx.store.jobs.enqueue({ kind: fx.unique('train'), spec: { epochs: 2, model: 'mnist' }, owner: 'alice' })
      assert.equal(typeof job.id, 'string')
      assert.deepEqual(
        { ...job, id: undefined, kind: undefined },
        {
          id: undefined, kind: undefined, spec: { epochs: 2, model: 'mnist' }, status: 'QUEUED', attempts: 0, maxAttempts: 3,
          progress: null, checkpoint: null, result: null, error: null, owner: 'alice', workerId: null, workerPid: null,
          leaseExpiresAt: null, heartbeatAt: null, createdAt: new Date(fx.now()), updatedAt: new Date(fx.now()),
          startedAt: null, finishedAt: null,
        },
      )
      assert.deepEqual(await fx.store.jobs.get(job.id), job)
    })

    it('refuses duplicate ids, unknown ids and bad options', async () => {
      const id = fx.unique('job')
      await fx.store.jobs.enqueue({ id, kind: 'train', spec: {} })
      await rejectsWith(fx.store.jobs.enqueue({ id, kind: 'train', spec: {} }), 'ALREADY_EXISTS')
      await rejectsWith(fx.store.jobs.get('no-such-job'), 'NOT_FOUND', JobNotFoundError)
      await rejectsWith(fx.store.jobs.cancel('no-such-job'), 'NOT_FOUND', JobNotFoundError)
      await rejectsWith(fx.store.jobs.enqueue({ kind: 'train', spec: {}, maxAttempts: 0 }), 'INVALID_ARGUMENT')
      await rejectsWith(fx.store.jobs.claim({ workerId: 'w', leaseMs: 0 }), 'INVALID_ARGUMENT')
    })

    it('lists oldest first, filtered by status, kind and owner', async () => {
      const owner = fx.unique('owner')
      const a = await fx.store.jobs.enqueue({ kind: 'train', spec: 1, owner })
      fx.advance(1)
      const b = await fx.store.jobs.enqueue({ kind: 'quantize', spec: 2, owner })
      fx.advance(1)
      const c = await fx.store.jobs.enqueue({ kind: 'train', spec: 3, owner })
      await fx.store.jobs.cancel(c.id)
      const ids = async (filter: object) => (await fx.store.jobs.list({ owner, ...filter })).map((job) => job.id)
      assert.deepEqual(await ids({}), [a.id, b.id, c.id])
      assert.deepEqual(await ids({ kind: 'train' }), [a.id, c.id])
      assert.deepEqual(await ids({ status: 'QUEUED' }), [a.id, b.id])
      assert.deepEqual(await ids({ limit: 1 }), [a.id])
    })

    it('claims the oldest queued job with a lease, and null when none is left', async () => {
      const kind = fx.unique('kind')
      const first = await fx.store.jobs.enqueue({ kind, spec: 1 })
      fx.advance(1)
      const second = await fx.store.jobs.enqueue({ kind, spec: 2 })
      const claimed = await fx.store.jobs.claim({ workerId: 'w1', pid: 4242, leaseMs: lease, kinds: [kind] })
      assert.ok(claimed !== null)
      assert.equal(claimed.id, first.id)
      assert.deepEqual(
        [claimed.status, claimed.attempts, claimed.workerId, claimed.workerPid, claimed.leaseExpiresAt, claimed.startedAt],
        ['RUNNING', 1, 'w1', 4242, new Date(fx.now() + lease), new Date(fx.now())],
      )
      assert.equal((await fx.store.jobs.claim({ workerId: 'w1', leaseMs: lease, kinds: [kind] }))?.id, second.id)
      assert.equal(await fx.store.jobs.claim({ workerId: 'w1', leaseMs: lease, kinds: [kind] }), null)
      assert.equal(await fx.store.jobs.claim({ workerId: 'w1', leaseMs: lease, kinds: [] }), null)
    })

    it('gives each job to exactly one of many concurrent claimers', async () => {
      const kind = fx.unique('kind')
      const jobs = await Promise.all(Array.from({ length: 5 }, (_, i) => fx.store.jobs.enqueue({ kind, spec: i })))
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) => fx.store.jobs.claim({ workerId: `w${i}`, leaseMs: lease, kinds: [kind] })),
      )
      const won = claims.filter((job) => job !== null)
      assert.deepEqual(won.map((job) => job.id).sort(), jobs.map((job) => job.id).sort())
      for (const job of won) assert.equal((await fx.store.jobs.get(job.id)).workerId, job.workerId)
    })

    it('renews the lease on heartbeat and saves progress and checkpoint', async () => {
      const kind = fx.unique('kind')
      const { id } = await fx.store.jobs.enqueue({ kind, spec: {} })
      await fx.store.jobs.claim({ workerId: 'w1', leaseMs: lease, kinds: [kind] })
      fx.advance(10_000)
      const beat = await fx.store.jobs.heartbeat(id, 'w1', { leaseMs: lease, progress: { epoch: 1, loss: 0.5 }, checkpoint: 'sha256:abc' })
      assert.deepEqual(
        [beat.leaseExpiresAt, beat.heartbeatAt, beat.progress, beat.checkpoint],
        [new Date(fx.now() + lease), new Date(fx.now()), { epoch: 1, loss: 0.5 }, 'sha256:abc'],
      )
      await rejectsWith(fx.store.jobs.heartbeat(id, 'w2', { leaseMs: lease }), 'FAILED_PRECONDITION', JobLeaseLostError)
    })

    it('hands a RUNNING job whose lease ran out to the next claimer, checkpoint and all', async () => {
      const kind = fx.unique('kind')
      const { id } = await fx.store.jobs.enqueue({ kind, spec: {} })
      await fx.store.jobs.claim({ workerId: 'crashed', pid: 1, leaseMs: lease, kinds: [kind] })
      await fx.store.jobs.heartbeat(id, 'crashed', { leaseMs: lease, checkpoint: 'ckpt-3' })
      fx.advance(lease - 1)
      assert.equal(await fx.store.jobs.claim({ workerId: 'w2', leaseMs: lease, kinds: [kind] }), null, 'the lease still holds')
      fx.advance(2)
      const resumed = await fx.store.jobs.claim({ workerId: 'w2', pid: 2, leaseMs: lease, kinds: [kind] })
      assert.deepEqual([resumed?.id, resumed?.attempts, resumed?.workerId, resumed?.checkpoint], [id, 2, 'w2', 'ckpt-3'])
      await rejectsWith(fx.store.jobs.heartbeat(id, 'crashed', { leaseMs: lease }), 'FAILED_PRECONDITION', JobLeaseLostError)
      await rejectsWith(fx.store.jobs.complete(id, 'crashed', {}), 'FAILED_PRECONDITION', JobLeaseLostError)
      const done = await fx.store.jobs.complete(id, 'w2', { model: 'mnist', version: 4 })
      assert.deepEqual(
        [done.status, done.result, done.finishedAt, done.leaseExpiresAt],
        ['SUCCEEDED', { model: 'mnist', version: 4 }, new Date(fx.now()), null],
      )
      await rejectsWith(fx.store.jobs.fail(id, 'w2', 'late'), 'FAILED_PRECONDITION', JobLeaseLostError)
    })

    it('fails a job whose lease ran out on its last attempt instead of retrying it', async () => {
      const kind = fx.unique('kind')
      const { id } = await fx.store.jobs.enqueue({ kind, spec: {}, maxAttempts: 1 })
      await fx.store.jobs.claim({ workerId: 'w1', leaseMs: lease, kinds: [kind] })
      fx.advance(lease + 1)
      assert.equal(await fx.store.jobs.claim({ workerId: 'w2', leaseMs: lease, kinds: [kind] }), null)
      const job = await fx.store.jobs.get(id)
      assert.equal(job.status, 'FAILED')
      assert.match(job.error ?? '', /lease/)
    })

    it('fails, releases and cancels', async () => {
      const kind = fx.unique('kind')
      const claim = (workerId: string) => fx.store.jobs.claim({ workerId, leaseMs: lease, kinds: [kind] })
      const a = await fx.store.jobs.enqueue({ kind, spec: 'a' })
      await claim('w1')
      const failed = await fx.store.jobs.fail(a.id, 'w1', 'out of memory')
      assert.deepEqual([failed.status, failed.error, failed.finishedAt], ['FAILED', 'out of memory', new Date(fx.now())])

      const b = await fx.store.jobs.enqueue({ kind, spec: 'b' })
      await claim('w1')
      await fx.store.jobs.heartbeat(b.id, 'w1', { leaseMs: lease, checkpoint: 'ckpt-1' })
      const released = await fx.store.jobs.release(b.id, 'w1')
      assert.deepEqual(
        [released.status, released.attempts, released.workerId, released.leaseExpiresAt, released.checkpoint],
        ['QUEUED', 0, null, null, 'ckpt-1'],
      )
      const again = await claim('w2')
      assert.deepEqual([again?.id, again?.attempts], [b.id, 1])
      const cancelled = await fx.store.jobs.cancel(b.id)
      assert.deepEqual([cancelled.status, cancelled.finishedAt], ['CANCELLED', new Date(fx.now())])
      await rejectsWith(fx.store.jobs.heartbeat(b.id, 'w2', { leaseMs: lease }), 'FAILED_PRECONDITION', JobLeaseLostError)
      await rejectsWith(fx.store.jobs.cancel(b.id), 'FAILED_PRECONDITION')
      await rejectsWith(fx.store.jobs.cancel(a.id), 'FAILED_PRECONDITION')

      const c = await fx.store.jobs.enqueue({ kind, spec: 'c' })
      assert.equal((await fx.store.jobs.cancel(c.id)).status, 'CANCELLED')
      assert.equal(await claim('w3'), null)
    })
  })
}
