// retryUntil (services/runtime/backoff.ts), which AMQP channels open and reopen with and the tagger
// connects with: a try that hangs counts as failed and its late result is disposed of, failures are
// retried, a first connect tries at once, and an abort ends it, even in the middle of a try.
import {describe, expect, it} from 'vitest'
import {BackgroundRetry, retryUntil} from '../../src/services/runtime/backoff.js'

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
      {
        baseMs: 2,
        maxMs: 4,
        timeoutMs: 20,
        signal: new AbortController().signal,
        onFailure: (attempt, error) => void failures.push(`${attempt}: ${error.message}`),
      },
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

  it('makes the first try at once with immediateFirstTry, and waits a backoff before the next', async () => {
    const stop = new AbortController()
    const failures: number[] = []
    let calls = 0
    const open = async () => {
      calls++
      throw new Error('refused')
    }
    // A base of a minute: any wait before try 1 would keep it from being called at once.
    const first = retryUntil(open, {
      baseMs: 60_000,
      maxMs: 60_000,
      timeoutMs: 100,
      signal: stop.signal,
      immediateFirstTry: true,
      onFailure: (attempt) => void failures.push(attempt),
    })
    expect(calls).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(failures).toEqual([1])
    expect(calls).toBe(1) // waiting at least half a minute before try 2
    stop.abort()
    expect(await first).toBeUndefined()
    expect(calls).toBe(1)

    // Without it (a reopen), even try 1 waits.
    const reopen = new AbortController()
    const later = retryUntil(open, {baseMs: 60_000, maxMs: 60_000, timeoutMs: 100, signal: reopen.signal})
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(calls).toBe(1)
    reopen.abort()
    expect(await later).toBeUndefined()
  })

  it('ends a try under way when aborted, and disposes of its late result', async () => {
    const stop = new AbortController()
    const disposed: string[] = []
    let finish: (value: string) => void = () => {}
    const failures: number[] = []
    const pending = retryUntil(
      () => new Promise<string>((resolve) => (finish = resolve)),
      {
        baseMs: 5,
        maxMs: 10,
        timeoutMs: 60_000,
        signal: stop.signal,
        immediateFirstTry: true,
        onFailure: (attempt) => void failures.push(attempt),
      },
      (late) => void disposed.push(late),
    )
    stop.abort()
    expect(await pending).toBeUndefined()
    finish('late')
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(disposed).toEqual(['late'])
    expect(failures).toEqual([]) // an abort is not a failed try
  })

  it('BackgroundRetry: returns after the first try, keeps one run going, and hands over what opened', async () => {
    const stop = new AbortController()
    let calls = 0
    const opener = new BackgroundRetry(
      async () => {
        calls++
        if (calls < 3) throw new Error('refused')
        return `channel ${calls}`
      },
      {baseMs: 10, maxMs: 20, timeoutMs: 1000, signal: stop.signal},
      () => {},
    )
    const opened: string[] = []
    const failures: number[] = []
    await opener.run(
      true,
      (attempt) => void failures.push(attempt),
      ({value}) => void opened.push(value),
    )
    expect({calls, failures, opened}).toEqual({calls: 1, failures: [1], opened: []})
    expect(opener.running).toBeDefined()
    // A second run while one is under way starts nothing.
    await opener.run(
      true,
      () => {},
      () => void opened.push('second run'),
    )
    await opener.running
    expect({calls, opened, running: opener.running}).toEqual({calls: 3, opened: ['channel 3'], running: undefined})

    // A first try that succeeds is handed over before run() returns.
    const quick = new BackgroundRetry(
      async () => 'at once',
      {baseMs: 10, maxMs: 20, timeoutMs: 1000, signal: stop.signal},
      () => {},
    )
    const taken: string[] = []
    await quick.run(
      true,
      () => {},
      ({value}) => void taken.push(value),
    )
    expect(taken).toEqual(['at once'])
  })
})
