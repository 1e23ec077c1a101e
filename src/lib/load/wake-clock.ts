// A wake-up call with sub-millisecond precision that costs no CPU while it waits. Node's timers
// fire on the event loop's millisecond clock, one to two milliseconds late; polling the loop
// instead is precise but keeps a core busy. Here a worker thread sleeps in Atomics.wait (a futex
// with a microsecond timeout) until the time asked for and then posts a message, which wakes the
// main loop at once. The two threads share one monotonic clock (process.hrtime).
import {Worker} from 'node:worker_threads'

/** The worker's whole program: sleep until the requested time (or a newer request), post, repeat. */
const WORKER_SOURCE = `
const {parentPort, workerData} = require('node:worker_threads')
const control = new Int32Array(workerData, 0, 2)
const wakeAt = new Float64Array(workerData, 8, 1)
const now = () => Number(process.hrtime.bigint()) / 1e6
let seen = Atomics.load(control, 0)
while (Atomics.load(control, 1) === 0) {
  const delay = wakeAt[0] - now()
  if (delay > 0.02) Atomics.wait(control, 0, seen, delay)
  else {
    parentPort.postMessage(0)
    Atomics.wait(control, 0, seen)
  }
  seen = Atomics.load(control, 0)
}
`

/** The shared clock, in ms; the same in both threads. */
export const clockMs = (): number => Number(process.hrtime.bigint()) / 1e6

export class WakeClock {
  private readonly control: Int32Array
  private readonly wakeAt: Float64Array
  private readonly worker: Worker
  /** When the thread will post next, as far as this side knows; Infinity when it waits for a request. */
  private pendingAt = Number.POSITIVE_INFINITY
  private closed = false

  /** `onWake` runs on the main loop each time a requested time is reached. */
  constructor(onWake: () => void) {
    const buffer = new SharedArrayBuffer(16)
    this.control = new Int32Array(buffer, 0, 2)
    this.wakeAt = new Float64Array(buffer, 8, 1)
    this.wakeAt[0] = Number.POSITIVE_INFINITY
    this.worker = new Worker(WORKER_SOURCE, {eval: true, workerData: buffer})
    this.worker.on('message', () => {
      this.pendingAt = Number.POSITIVE_INFINITY
      onWake()
    })
    // The engine's own timers keep the process alive while a run lasts; this thread never should.
    this.worker.unref()
  }

  /**
   * Calls `onWake` once at `atMs` on the shared clock, replacing any earlier request. A time later
   * than one the thread still sleeps towards needs no signal: it re-reads the time when it wakes.
   * There is no cancelling (the thread could read a cleared time between two writes and sleep for
   * good): a caller ignores a wake-up it no longer wants.
   */
  wakeAtClock(atMs: number): void {
    this.wakeAt[0] = atMs
    if (atMs < this.pendingAt || this.pendingAt <= clockMs()) this.signal()
    this.pendingAt = atMs
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    Atomics.store(this.control, 1, 1)
    this.signal()
    await this.worker.terminate()
  }

  private signal(): void {
    Atomics.add(this.control, 0, 1)
    Atomics.notify(this.control, 0)
  }
}
