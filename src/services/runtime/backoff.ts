// Exponential backoff with full jitter (AWS architecture blog): a retry waits a uniform random time
// in [0, min(max, base·2^(attempt-1))], so retries of many clients spread out instead of in waves.
// Used by the worker's LLM retries, the tagger's background connect and opening AMQP channels (the
// first open at service start and every reopen after a lost connection).
import {setTimeout as sleep} from 'node:timers/promises'

export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1))
  return random() * ceiling
}

export interface RetryOptions {
  baseMs: number
  maxMs: number
  /** A try that has not settled by then counts as failed (its late result is discarded). */
  timeoutMs: number
  signal: AbortSignal
  /** Try 1 goes at once (a first connect); otherwise it too waits a backoff (a reopen after a loss). */
  immediateFirstTry?: boolean
  onFailure?: (attempt: number, error: Error) => void
}

/**
 * Calls `open` until it succeeds, waiting before each try a full-jitter backoff of at least half the
 * base (a lost connection takes a moment to be reported as lost); the n-th wait is the n-th backoff.
 * Undefined once `signal` aborts, which also ends the wait for a try under way (its late result goes
 * to `dispose`, as a timed-out one's does).
 */
export async function retryUntil<T>(
  open: () => Promise<T>,
  options: RetryOptions,
  dispose: (late: T) => void = () => {},
): Promise<{value: T; attempts: number} | undefined> {
  const {signal} = options
  for (let attempt = 1; !signal.aborted; attempt++) {
    const wait = options.immediateFirstTry ? attempt - 1 : attempt
    if (wait > 0)
      await sleep(Math.max(options.baseMs / 2, backoffDelayMs(wait, options.baseMs, options.maxMs)), undefined, {
        signal,
      }).catch(() => {}) // an abort ends the wait early; the loop checks the signal next
    if (signal.aborted) return undefined
    let timer: NodeJS.Timeout | undefined
    let onAbort: (() => void) | undefined
    const attemptDone = open()
    try {
      const value = await Promise.race([
        attemptDone,
        new Promise<never>(
          (_resolve, reject) =>
            (timer = setTimeout(
              () => reject(new Error(`no answer within ${options.timeoutMs} ms`)),
              options.timeoutMs,
            )),
        ),
        new Promise<never>((_resolve, reject) => {
          onAbort = () => reject(new Error('aborted'))
          if (signal.aborted) onAbort()
          else signal.addEventListener('abort', onAbort, {once: true})
        }),
      ])
      return {value, attempts: attempt}
    } catch (error) {
      attemptDone.then(dispose, () => {}) // a try given up on that fails late leaves nothing to dispose of
      if (signal.aborted) return undefined
      options.onFailure?.(attempt, error as Error)
    } finally {
      clearTimeout(timer)
      if (onAbort) signal.removeEventListener('abort', onAbort)
    }
  }
  return undefined
}

/**
 * One background run of retryUntil at a time, for what a service opens and reopens (an AMQP channel):
 * `run` starts one unless one is under way, and resolves once its first try has settled — after
 * `onOpened` has taken the value if that try succeeded — while the rest goes on in the background.
 * `running` is the run under way (await it once the signal has aborted).
 */
export class BackgroundRetry<T> {
  running: Promise<void> | undefined

  constructor(
    private readonly open: () => Promise<T>,
    private readonly options: Omit<RetryOptions, 'immediateFirstTry' | 'onFailure'>,
    private readonly dispose: (late: T) => void,
  ) {}

  run(
    immediateFirstTry: boolean,
    onFailure: (attempt: number, error: Error) => void,
    onOpened: (opened: {value: T; attempts: number}) => void | Promise<void>,
  ): Promise<void> {
    if (this.running) return Promise.resolve()
    let firstTried!: () => void
    const firstTry = new Promise<void>((resolve) => (firstTried = resolve))
    const failed = (attempt: number, error: Error) => {
      if (attempt === 1) firstTried()
      onFailure(attempt, error)
    }
    const running: Promise<void> = retryUntil(
      this.open,
      {...this.options, immediateFirstTry, onFailure: failed},
      this.dispose,
    )
      .then(async (opened) => {
        if (!opened) return
        // Cleared before onOpened, so a value lost at once (a channel that closes) starts a new run.
        if (this.running === running) this.running = undefined
        await onOpened(opened)
      })
      .finally(() => {
        if (this.running === running) this.running = undefined
        firstTried()
      })
    this.running = running
    return firstTry
  }
}
