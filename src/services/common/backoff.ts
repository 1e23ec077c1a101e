// Exponential backoff with full jitter (AWS architecture blog): a retry waits a uniform random time
// in [0, min(max, base·2^(attempt-1))], so retries of many clients spread out instead of in waves.
// Used by the worker's LLM retries, the tagger's background connect and reopening AMQP channels.
import {setTimeout as sleep} from 'node:timers/promises'

export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1))
  return random() * ceiling
}

export interface RetryOptions {
  baseMs: number
  maxMs: number
  /** A try that has not settled by then counts as failed (its late result is discarded). */
  timeoutMs: number
  signal: AbortSignal
  onFailure?: (attempt: number, error: Error) => void
}

/**
 * Calls `open` until it succeeds, waiting before each try a full-jitter backoff of at least half the
 * base (a lost connection takes a moment to be reported as lost). Undefined once `signal` aborts.
 */
export async function retryUntil<T>(open: () => Promise<T>, options: RetryOptions, dispose: (late: T) => void = () => {}): Promise<{value: T; attempts: number} | undefined> {
  for (let attempt = 1; !options.signal.aborted; attempt++) {
    await sleep(Math.max(options.baseMs / 2, backoffDelayMs(attempt, options.baseMs, options.maxMs)), undefined, {signal: options.signal}).catch(() => {})
    if (options.signal.aborted) return undefined
    let timer: NodeJS.Timeout | undefined
    const attemptDone = open()
    try {
      const value = await Promise.race([attemptDone, new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs)))])
      return {value, attempts: attempt}
    } catch (error) {
      attemptDone.then(dispose, () => {})
      options.onFailure?.(attempt, error as Error)
    } finally {
      clearTimeout(timer)
    }
  }
  return undefined
}
