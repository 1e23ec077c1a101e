// The engine that offers load and records what happens, free of coordinated omission: in the open
// model every request has an intended start from the arrival schedule, and its latency is measured
// from that intended start (as wrk2 does), whatever the generator or the in-flight cap did to its
// actual send; the service time from the actual send goes to a second histogram. The closed model
// (N virtual users with think time) shares the same request path. Due requests are sent in batches,
// from a wake-up at the next one's intended time (a precise helper thread, Node's millisecond
// timers, or polling the loop: SendStrategy) and from every reply that arrives, since a reply is a
// turn of the loop already paid for. Requests in flight are bounded by a connection pool that
// grows by Little's law (PoolSizer) up to the in-flight cap; a due send that finds it full waits.
import {performance} from 'node:perf_hooks'
import type {ErrorClass} from '../measure/outcome.js'
import {E2E_SERIES, STATUS_SERIES} from '../measure/run-data.js'
import type {RunRecorder, SeriesHandle} from '../measure/series-recorder.js'
import type {ArrivalSchedule} from './arrival-schedule.js'
import type {EngineOutcome, EngineSettings, LiveStatus, SendStrategy} from './engine-settings.js'
import type {AttemptResult, HttpAttempt, HttpTarget} from './http-client.js'
import {TimeHeap} from './min-heap.js'
import {MIN_POOL, PoolSizer} from './pool-sizer.js'
import {SeededRandom} from '../random/seeded.js'
import {RetryBudget, retryDelayMs, shouldRetry} from './retry-policy.js'
import {WakeClock, clockMs} from './wake-clock.js'
import {isDegradedAnswer, statusRequestFor, statusState, type Workload} from './workload.js'

interface Flow {
  handle: SeriesHandle
  attempt: HttpAttempt
  timeoutMs: number
  captureBody: boolean
  /** A success whose body marks it degraded counts as degraded (the body is captured for it). */
  countDegraded?: boolean
  firstIntendedMs: number
  attempts: number
  /** Called once with the final result, after the outcome is recorded. */
  finished: (result: AttemptResult, nowMs: number) => void
}

interface Pending {
  at: number
  flow: Flow | undefined
  isRetry: boolean
  /** Closed model: a virtual user's next original request. */
  vu?: boolean
}

const BATCH = 256
/** 'spin': how close to a due send the loop stops sleeping on timers (1 ms granularity) and polls. */
export const SPIN_MS = 1.5
/** 'clock': a send due sooner than this goes out on the next turn of the loop. */
const CLOCK_IMMEDIATE_MS = 0.05
/** 'clock': at most one wake-up per this many ms; what fell due meanwhile goes out together. */
const COALESCE_MS = 0.25

export class LoadEngine {
  /** Time zero of the schedule: when run() starts, so set-up never makes the first requests late. */
  private t0 = performance.now()
  private readonly heap = new TimeHeap<Pending>()
  private readonly jitter: SeededRandom
  private readonly budget: RetryBudget | undefined
  private readonly spinMs: number
  private readonly strategy: SendStrategy
  private lastPumpAt = Number.NEGATIVE_INFINITY
  private inFlight = 0
  /** Sum of the in-flight attempts' send times, for their mean age. */
  private sentAtSum = 0
  readonly pool: PoolSizer
  /** When a due send last found every connection busy; a send intended before it waited. */
  private blockedAt = Number.NEGATIVE_INFINITY
  private loopMark = performance.eventLoopUtilization()
  private seq = 0
  private activeVus = 0
  private pumping = false
  private blocked = false
  private stopping = false
  private aborted = false
  private finished = false
  private wakeAt = Number.POSITIVE_INFINITY
  private wakeTimer: NodeJS.Timeout | undefined
  private wakeImmediate: NodeJS.Immediate | undefined
  /** The precise wake-up thread, when the send strategy is 'clock'. */
  private clock: WakeClock | undefined
  /** The shared clock's reading at this engine's time zero. */
  private clockZero = 0
  private clockArmed = false
  private resolveRun: ((outcome: EngineOutcome) => void) | undefined
  private drainTimer: NodeJS.Timeout | undefined
  private currentPhase = ''

  constructor(
    private readonly settings: EngineSettings,
    private readonly workload: Workload,
    private readonly target: HttpTarget,
    private readonly recorder: RunRecorder,
  ) {
    this.jitter = new SeededRandom(settings.seed, 'retry-jitter')
    this.budget = settings.retry.budget ? new RetryBudget(settings.retry.budget, 0) : undefined
    this.strategy = settings.sendStrategy ?? 'timer'
    this.spinMs = this.strategy === 'spin' ? SPIN_MS : 0
    // The closed model holds one request per virtual user; dropping at the cap needs the whole cap.
    const fixedPool = settings.model === 'closed' || settings.whenCapped === 'drop'
    this.pool = new PoolSizer(
      settings.maxInFlight,
      fixedPool ? settings.maxInFlight : (settings.initialPool ?? MIN_POOL),
    )
    if (settings.model === 'open' && !settings.schedule) throw new Error('the open model needs an arrival schedule')
  }

  now(): number {
    return performance.now() - this.t0
  }

  get status(): LiveStatus {
    return {elapsedMs: this.now(), inFlight: this.inFlight, phase: this.currentPhase}
  }

  /** Stops issuing new originals; what is in flight still finishes (within the drain timeout). */
  stop(): void {
    this.aborted = true
    this.stopping = true
    this.requestWake(this.now())
  }

  run(onInterval?: (nowMs: number) => void): Promise<EngineOutcome> {
    this.t0 = performance.now()
    this.clockZero = clockMs() - performance.now() + this.t0
    if (this.strategy === 'clock') this.clock = new WakeClock(this.onClock)
    return new Promise((resolve) => {
      this.resolveRun = resolve
      const ticker = setInterval(() => {
        const now = this.now()
        this.recorder.closeInterval(now, this.inFlight)
        onInterval?.(now)
      }, this.settings.intervalMs)
      const endOfIssue = setTimeout(() => this.endOfIssue(), this.settings.durationMs)
      const finish = this.resolveRun
      this.resolveRun = (outcome) => {
        clearInterval(ticker)
        clearTimeout(endOfIssue)
        if (this.drainTimer) clearTimeout(this.drainTimer)
        this.clearWake()
        void this.clock?.close()
        this.recorder.closeInterval(this.now(), this.inFlight)
        onInterval?.(this.now())
        finish(outcome)
      }
      if (this.settings.model === 'closed') {
        this.currentPhase = this.settings.phase ?? 'main'
        const vus = this.settings.vus ?? 1
        this.activeVus = vus
        for (let vu = 0; vu < vus; vu++) this.heap.push({at: 0, flow: undefined, isRetry: false, vu: true})
      }
      this.pump()
    })
  }

  /**
   * The curve's end. Closed model: users stop starting requests. Open model: originals still due
   * (late behind the in-flight cap) are still sent; the drain timeout bounds how long that takes.
   */
  private endOfIssue(): void {
    if (this.settings.model === 'closed') this.stopping = true
    this.drainTimer ??= setTimeout(
      () => this.finish(this.inFlight + this.heap.size + this.remainingOriginals()),
      this.settings.drainTimeoutMs,
    )
    this.requestWake(this.now())
  }

  private remainingOriginals(): number {
    const schedule = this.settings.schedule
    if (!schedule || this.aborted) return 0
    let count = 0
    for (; !schedule.done; schedule.advance()) count++
    return count
  }

  private readonly pump = (): void => {
    this.clearWake()
    if (this.pumping || this.finished) return
    this.pumping = true
    this.blocked = false
    this.lastPumpAt = this.now()
    const schedule = this.settings.schedule
    let sent = 0
    let now = this.now()
    let growAt: number | undefined
    for (;;) {
      const nextOriginal = schedule && !this.stopping ? schedule.nextAt : Number.POSITIVE_INFINITY
      const nextFollowUp = this.heap.peekAt()
      const due = Math.min(nextOriginal, nextFollowUp)
      if (due > now) {
        now = this.now()
        if (due > now) break
      }
      const original = nextOriginal <= nextFollowUp
      if (this.inFlight >= this.pool.limit) {
        growAt = this.pool.grow(now, this.inFlightMeanAge(now), this.loopUtilization)
        if (this.inFlight < this.pool.limit) continue
        if (original && this.settings.whenCapped === 'drop') {
          this.dropOriginal(schedule!)
          continue
        }
        this.blocked = true
        this.blockedAt = now
        break
      }
      if (original) {
        this.startOriginal(schedule!.nextAt, schedule!.phase, schedule!.index)
        schedule!.advance()
      } else {
        const pending = this.heap.pop()!
        if (pending.vu) this.startVuIteration(pending.at)
        else this.send(pending.flow!, pending.at, pending.isRetry)
      }
      if (++sent >= BATCH) {
        this.pumping = false
        this.requestWake(0)
        return
      }
    }
    this.pumping = false
    if (!this.blocked) {
      const next = this.nextDueAt()
      if (next !== Number.POSITIVE_INFINITY) this.requestWake(next)
    } else if (growAt !== undefined) this.requestWake(growAt)
    this.checkFinished()
  }

  private requestWake(at: number): void {
    if (this.pumping || this.finished) return
    if (this.wakeAt <= at) return
    this.clearWake()
    this.wakeAt = at
    const delay = at - this.now()
    if (this.clock) {
      if (delay <= CLOCK_IMMEDIATE_MS) this.wakeImmediate = setImmediate(this.pump)
      else {
        this.clockArmed = true
        this.clock.wakeAtClock(this.clockZero + Math.max(at, this.lastPumpAt + COALESCE_MS))
      }
    } else if (delay <= this.spinMs) this.wakeImmediate = setImmediate(this.pump)
    else this.wakeTimer = setTimeout(this.pump, Math.max(1, Math.floor(delay - this.spinMs)))
  }

  /** The wake-up thread reached the time asked for; a call that a newer request replaced is ignored. */
  private readonly onClock = (): void => {
    if (!this.clockArmed) return
    this.clockArmed = false
    this.pump()
  }

  private clearWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer)
    if (this.wakeImmediate) clearImmediate(this.wakeImmediate)
    this.clockArmed = false
    this.wakeTimer = undefined
    this.wakeImmediate = undefined
    this.wakeAt = Number.POSITIVE_INFINITY
  }

  private dropOriginal(schedule: ArrivalSchedule): void {
    this.recorder.offer()
    const planned = this.workload.next(schedule.index)
    this.recorder.series(planned.type.metric, schedule.phase).dropped()
    // A dropped generate never completes either: its end-to-end series counts it too.
    if (planned.type.poll) this.recorder.series(E2E_SERIES, schedule.phase).dropped()
    schedule.advance()
  }

  private startOriginal(intendedMs: number, phase: string, index: number, onChainDone?: () => void): void {
    this.currentPhase = phase
    this.recorder.offer()
    this.pool.arrival(intendedMs)
    this.budget?.deposit()
    const planned = this.workload.next(index)
    const {type} = planned
    const handle = this.recorder.series(type.metric, phase)
    const flow: Flow = {
      handle,
      attempt: planned.attempt,
      timeoutMs: type.timeoutMs ?? this.settings.timeoutMs,
      captureBody: type.poll !== undefined || type.countDegraded === true,
      countDegraded: type.countDegraded === true,
      firstIntendedMs: intendedMs,
      attempts: 0,
      finished: (result, nowMs) => {
        // e2e follows the accepted requests only: a refused one failed already, in its own series,
        // and its quick failure is no end-to-end time (a run of 429s would pass an e2e target on them).
        if (!type.poll || result.error) return onChainDone?.()
        const e2e = this.recorder.series(E2E_SERIES, phase)
        const status = statusRequestFor(result.body, planned.headers)
        if (!status) {
          e2e.outcome(nowMs - intendedMs, 'http5xx')
          return onChainDone?.()
        }
        this.schedulePoll(status, phase, intendedMs, nowMs + type.poll.intervalMs, type.poll, e2e, onChainDone)
      },
    }
    this.send(flow, intendedMs, false)
  }

  /** Polls a generate request's status until it is terminal; the chain's end is its e2e latency. */
  private schedulePoll(
    status: HttpAttempt,
    phase: string,
    startMs: number,
    at: number,
    poll: {intervalMs: number; timeoutMs: number},
    e2e: SeriesHandle,
    onChainDone?: () => void,
  ): void {
    const flow: Flow = {
      handle: this.recorder.series(STATUS_SERIES, phase),
      attempt: status,
      timeoutMs: this.settings.timeoutMs,
      captureBody: true,
      firstIntendedMs: at,
      attempts: 0,
      finished: (result, nowMs) => {
        const state = result.error ? 'pending' : statusState(result.body)
        if (state !== 'pending') {
          e2e.outcome(
            nowMs - startMs,
            state === 'completed' ? undefined : 'http5xx',
            state === 'completed' && isDegradedAnswer(result.body),
          )
          return onChainDone?.()
        }
        if (nowMs - startMs >= poll.timeoutMs) {
          e2e.outcome(nowMs - startMs, 'timeout')
          return onChainDone?.()
        }
        this.schedulePoll(status, phase, startMs, nowMs + poll.intervalMs, poll, e2e, onChainDone)
      },
    }
    this.heap.push({at, flow, isRetry: false})
    this.requestWake(at)
  }

  private startVuIteration(at: number): void {
    if (this.stopping || at >= this.settings.durationMs) {
      this.activeVus--
      this.checkFinished()
      return
    }
    this.startOriginal(at, this.settings.phase ?? 'main', this.seq++, () => {
      const next = this.now() + (this.settings.thinkTimeMs ?? 0)
      this.heap.push({at: next, flow: undefined, isRetry: false, vu: true})
      this.requestWake(next)
    })
  }

  private send(flow: Flow, intendedMs: number, isRetry: boolean): void {
    const sentAt = this.now()
    const lag = sentAt - intendedMs
    const late = lag > this.settings.lateAfterMs
    this.recorder.sendAt(lag)
    flow.handle.send(isRetry, late)
    if (intendedMs <= this.blockedAt) this.pool.waitedSend(late)
    flow.attempts++
    this.inFlight++
    this.sentAtSum += sentAt
    this.target.send(flow.attempt, flow.timeoutMs, flow.captureBody, (result) => this.complete(flow, sentAt, result))
    this.pool.opened(this.target.openConnections)
  }

  private complete(flow: Flow, sentAt: number, result: AttemptResult): void {
    if (this.finished) return
    const now = this.now()
    this.inFlight--
    this.sentAtSum = this.inFlight === 0 ? 0 : this.sentAtSum - sentAt
    this.pool.observe(now - sentAt)
    flow.handle.attempt(now - sentAt, result.error)
    if (result.error && !this.retry(flow, result.error, result.retryAfterMs, now)) {
      flow.handle.outcome(now - flow.firstIntendedMs, result.error)
      flow.finished(result, now)
    } else if (!result.error) {
      flow.handle.outcome(
        now - flow.firstIntendedMs,
        undefined,
        flow.countDegraded === true && isDegradedAnswer(result.body),
      )
      flow.finished(result, now)
    }
    // A completion is a turn of the loop already paid for: a send that is due goes out now, with
    // no wake-up of its own, which is what keeps a busy high-rate run precise.
    if (this.blocked || this.nextDueAt() <= now) {
      this.blocked = false
      this.pump()
    }
    this.checkFinished()
  }

  /** The share of time the event loop was busy since the last time this was asked. */
  private readonly loopUtilization = (): number => {
    const mark = performance.eventLoopUtilization()
    const since = performance.eventLoopUtilization(mark, this.loopMark)
    this.loopMark = mark
    return since.utilization
  }

  /** How long, on average, the attempts in flight have been out (ms). */
  private inFlightMeanAge(now: number): number {
    return this.inFlight === 0 ? 0 : now - this.sentAtSum / this.inFlight
  }

  private nextDueAt(): number {
    const schedule = this.settings.schedule
    return Math.min(schedule && !this.stopping ? schedule.nextAt : Number.POSITIVE_INFINITY, this.heap.peekAt())
  }

  /** Schedules a retry if the policy and the budget allow one; false when the failure is final. */
  private retry(flow: Flow, error: ErrorClass, retryAfterMs: number | undefined, now: number): boolean {
    const policy = this.settings.retry
    if (!shouldRetry(policy, error, flow.attempts)) return false
    if (this.budget && !this.budget.tryWithdraw(now)) {
      flow.handle.budgetExhausted()
      return false
    }
    const at = now + retryDelayMs(policy, flow.attempts, retryAfterMs, this.jitter)
    this.heap.push({at, flow, isRetry: true})
    this.requestWake(at)
    return true
  }

  private checkFinished(): void {
    if (this.finished || this.inFlight > 0 || this.heap.size > 0) return
    const issuing =
      this.settings.model === 'open' ? !this.settings.schedule!.done && !this.stopping : this.activeVus > 0
    if (!issuing) this.finish(0)
  }

  private finish(abandoned: number): void {
    if (this.finished) return
    this.finished = true
    this.heap.clear()
    this.resolveRun?.({durationMs: this.now(), abandoned, stoppedEarly: this.aborted})
  }
}
