// retryUntil (services/common/backoff.ts), which the AMQP channels reopen with: a try that hangs
// counts as failed and its late result is disposed of, failures are retried, and an abort ends it.
import {describe, expect, it} from 'vitest'
import {retryUntil} from '../../src/services/common/backoff.js'

describe('retryUntil', () => {
  it('gives up on a try that hangs, disposes of its late result, and succeeds on a later try', async () => {
    const disposed: string[] = []
    const failures: string[] = []
    let calls = 0
    const result = await retryUntil(
      () => {
        calls++
        if (calls === 1) return new Promise<string>((resolve) => setTimeout(() => resolve('late'), 80))
        if (calls === 2) return Promise.reject(new Error('refused'))
        return Promise.resolve('fresh')
      },
      {baseMs: 2, maxMs: 4, timeoutMs: 20, signal: new AbortController().signal, onFailure: (attempt, error) => void failures.push(`${attempt}: ${error.message}`)},
      (late) => void disposed.push(late),
    )
    expect(result).toEqual({value: 'fresh', attempts: 3})
    expect(failures).toEqual(['1: no answer within 20 ms', '2: refused'])
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(disposed).toEqual(['late'])
  })

  it('returns undefined once aborted, without another try', async () => {
    const stop = new AbortController()
    let calls = 0
    const pending = retryUntil(
      async () => {
        calls++
        stop.abort()
        throw new Error('down')
      },
      {baseMs: 5, maxMs: 10, timeoutMs: 100, signal: stop.signal},
    )
    expect(await pending).toBeUndefined()
    expect(calls).toBe(1)
  })
})
