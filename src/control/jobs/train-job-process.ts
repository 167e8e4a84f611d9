/**
 * @module control/jobs/train-job-process
 * Starts the training child (train-job-child.ts) with tsx's loader and an IPC channel, and
 * turns it into events: each ChildMessage, then one `exit` with the code, the signal and the
 * tail of its stderr. The child leaves when the channel closes, so it never outlives the
 * server; `kill()` ends it at once (SIGKILL: nothing it holds needs a clean close).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildJob, ChildMessage, ParentMessage } from './train-job-messages.ts'

const CHILD_ENTRY = fileURLToPath(new URL('./train-job-child.ts', import.meta.url))
const STDERR_TAIL = 4096

export interface ChildExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
}

export interface TrainJobProcessEvents {
  onMessage(message: ChildMessage): void
  onExit(exit: ChildExit): void
}

/** One running training child. */
export class TrainJobProcess {
  readonly #child: ChildProcess
  #stderr = ''

  /** Forks the child and sends it the job. */
  constructor(job: ChildJob, events: TrainJobProcessEvents) {
    this.#child = fork(CHILD_ENTRY, [], {
      // Registered by absolute URL, so the child finds tsx whatever the working directory.
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    })
    this.#child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL)
    })
    this.#child.on('message', (message: ChildMessage) => events.onMessage(message))
    // 'close' comes after the stdio streams ended, so the stderr tail is complete.
    this.#child.once('close', (code, signal) => events.onExit({ code, signal, stderr: this.#stderr.trim() }))
    this.#child.once('error', () => undefined) // a failed spawn also closes; reported there
    const start: ParentMessage = { type: 'start', job }
    this.#child.send(start)
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  /** Ends the child now; its exit still arrives through onExit. */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL')
  }
}
