/**
 * @module cli/bench/bench-setup-error
 * Errors that stop `maas bench` before it measures anything: a bad command line, an
 * unreachable server, an unknown model, inputs it cannot generate. They exit with 2;
 * failed requests during measurement are counted instead and exit with 1.
 */

/** The benchmark cannot start; the message says why, for a person. */
export class BenchSetupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'BenchSetupError'
  }
}

/** A bad command line: printed with the usage text. */
export class BenchUsageError extends BenchSetupError {
  constructor(message: string) {
    super(message)
    this.name = 'BenchUsageError'
  }
}
