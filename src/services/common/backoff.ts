// Exponential backoff with full jitter (AWS architecture blog): a retry waits a uniform random time
// in [0, min(max, base·2^(attempt-1))], so retries of many clients spread out instead of in waves.
// Used by the worker's LLM retries, the tagger's background connect and reopening AMQP channels.
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1))
  return random() * ceiling
}
