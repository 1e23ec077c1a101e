// Hands accepted requests to RabbitMQ after the client has its 202. The 202 means the request is
// stored (its row committed in PostgreSQL) and its quota reserved; the admit script also put it in
// Redis's pending-dispatch set (RedisKeys.pendingDispatch, scored by admission time), and it leaves
// that set only once RabbitMQ has confirmed the message. Waiting for the confirm before answering
// made RabbitMQ's fsync the tail of every generate (p99 in the tens of ms at 3,000 req/s).
//
// Requests accepted within lingerMs of each other are published together, once the first has waited
// that long: RabbitMQ then takes a burst per wake-up rather than one message per wake-up, which cut
// its CPU per generate at 3,000 req/s from about 150 µs to 120–127 (5 ms; two sets of four runs).
// The client already has its answer, so the wait costs it nothing; close() publishes what is held.
//
// Nothing is lost in between: every sweepMs the sweeper claims entries older than graceMs (a lease:
// their score moves to now, so a second gateway does not take them too) and settles each one by its
// row — still queued: published again; in any other state: forgotten; no row at all (the gateway
// died between reserving and storing, or could not refund a failed store): the admission is
// refunded (quota/quota.ts refundAdmission). An admission abandoned after a store in doubt (quota.ts
// abandonAdmission) loses its queued row, if the INSERT was committed after all, and is refunded.
// A message confirmed but not yet removed from the set when a gateway dies is sent twice; the
// collector settles by request id, so that costs a second LLM call, never a second charge.
//
// While RabbitMQ is unreachable (at start, or after a lost connection) the publisher is not open: a
// generate is still stored and answered 202 but not published, and the sweeper only refunds what
// was never stored. When the channel opens, one catch-up sweep sends at once every pending request
// admitted up to the last one that missed its publish, without waiting for graceMs (one admitted
// just before that and published on the new channel may then go twice: at least once, as above);
// it refunds nothing, since a request without a row yet may still be on its way into PostgreSQL. Requests left to the sweeper are
// counted and reported in one warning per sweep interval, not one per request.
import type {Redis} from 'ioredis'
import type pg from 'pg'
import type {ConfirmedPublisher} from '../amqp/confirmed-publisher.js'
import {Batcher} from './batcher.js'
import type {InferenceRequestMessage} from '../amqp/inference-messages.js'
import type {Logger} from '../telemetry/log.js'
import {parsePendingMember, refundAdmission} from '../quota/quota.js'
import {RedisKeys} from '../redis/keys.js'

export interface DispatcherOptions {
  queue: string
  /** Unconfirmed publishes above which a generate waits for its own confirm (back-pressure). */
  maxUnconfirmed: number
  sweepMs: number
  graceMs: number
  /** How long an accepted request may wait for others to be published with it (0: at once). */
  lingerMs: number
}

interface Held {
  message: InferenceRequestMessage
  member: string
  createdAt: Date
  confirmed: () => void
}

/** Claims up to ARGV[3] members scored at or before ARGV[1] by rescoring them to ARGV[2]. */
const CLAIM_SCRIPT = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], member) end
return due
`

type ClaimingRedis = Redis & {
  dispatchClaim(key: string, dueBefore: number, now: number, limit: number): Promise<string[]>
}

/** What one sweep did: published again, forgot (settled already), refunded, or left for a later sweep. */
export type SweepOutcome = {
  republished: number
  forgotten: number
  released: number
  deferred: number
}

/** A requests row as the sweeper reads it: the message's columns (quota_day as text), its status and age. */
type RequestRowForDispatch = InferenceRequestMessage & {status: string; created_at: Date}

export class Dispatcher {
  private unconfirmed = 0
  private readonly inFlight = new Set<Promise<void>>()
  private timer: NodeJS.Timeout | undefined
  private sweeping: Promise<void> | undefined
  /** Requests left to the sweeper since the last warning, and the latest reason. */
  private notQueued = {count: 0, error: ''}
  /** When the latest publish was missed (no channel, or lost with it): the catch-up sweep's bound. */
  private missedAt: number | undefined
  /** Confirmed members leave the pending set together: one ZREM per confirm burst, not per request. */
  private readonly cleared: Batcher<string>
  /** Accepted requests waiting for the linger to end, and its timer. */
  private held: Held[] = []
  private heldTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly publisher: ConfirmedPublisher,
    private readonly redis: Redis,
    private readonly pg: pg.Pool,
    private readonly log: Logger,
    private readonly options: DispatcherOptions,
  ) {
    if (typeof (redis as ClaimingRedis).dispatchClaim !== 'function')
      redis.defineCommand('dispatchClaim', {numberOfKeys: 1, lua: CLAIM_SCRIPT})
    this.cleared = new Batcher<string>(
      async (members) => void (await redis.zrem(RedisKeys.pendingDispatch, ...members)),
      512,
      2,
    )
    publisher.onOpen(() => void this.catchUp())
  }

  /**
   * Publishes an admitted, stored request, after the linger. Resolves at once while fewer than
   * maxUnconfirmed requests wait (held, or published and not yet confirmed), otherwise when this one
   * is confirmed. Never rejects: a publish that fails is left to the sweeper.
   */
  async dispatch(message: InferenceRequestMessage, member: string, createdAt: Date): Promise<void> {
    const confirmed =
      this.options.lingerMs > 0 ? this.hold(message, member, createdAt) : this.publish(message, member, createdAt)
    if (this.unconfirmed > this.options.maxUnconfirmed) await confirmed
  }

  start(): void {
    const tick = () => {
      this.reportNotQueued()
      this.sweeping = this.sweep()
        .then(() => undefined)
        .catch((error: Error) => this.log.warn('dispatch sweep failed', {error: error.message}))
        .finally(() => {
          this.sweeping = undefined
          if (this.timer) this.timer = setTimeout(tick, this.options.sweepMs)
        })
    }
    this.timer = setTimeout(tick, Math.min(this.options.sweepMs, 1000))
  }

  /** Publishes what is held, stops sweeping and waits for every outstanding publish to be confirmed (or to fail). */
  async close(): Promise<void> {
    this.publishHeld()
    clearTimeout(this.timer)
    this.timer = undefined
    await this.sweeping
    await Promise.all(this.inFlight)
    this.reportNotQueued()
  }

  /**
   * Sends what missed its publish while there was no channel, once there is one: sweeps, without the
   * grace period, every request admitted up to the latest miss (500 per pass, until none is left).
   */
  async catchUp(): Promise<void> {
    const missedAt = this.missedAt
    if (missedAt === undefined || this.timer === undefined) return
    this.missedAt = undefined
    const total: SweepOutcome = {republished: 0, forgotten: 0, released: 0, deferred: 0}
    try {
      for (;;) {
        const outcome = await this.sweep(Date.now(), missedAt, 'catch-up')
        for (const key of Object.keys(total) as Array<keyof SweepOutcome>) total[key] += outcome[key]
        if (outcome.republished + outcome.forgotten + outcome.released + outcome.deferred < 500 || !this.publisher.open)
          break
      }
      this.log.info('dispatch caught up after RabbitMQ was unreachable', total)
    } catch (error) {
      this.log.warn('dispatch catch-up failed; the sweeper will send what is left', {error: (error as Error).message})
    }
  }

  /**
   * One pass of the sweeper over pending requests admitted at or before `dueBefore` (by default
   * graceMs ago); returns what it did. With a channel, it claims them (their score moves to now) and
   * publishes again those still queued. Without one, it only peeks, and settles what needs no
   * RabbitMQ: refunds and abandoned rows, so a tenant is not held to requests that failed while
   * RabbitMQ is down. The catch-up sweep, which runs without the grace period, never refunds: a
   * request admitted just before may still be on its way into PostgreSQL.
   */
  async sweep(
    now = Date.now(),
    dueBefore = now - this.options.graceMs,
    mode: 'regular' | 'catch-up' = 'regular',
  ): Promise<SweepOutcome> {
    const outcome: SweepOutcome = {republished: 0, forgotten: 0, released: 0, deferred: 0}
    const publishing = this.publisher.open
    if (!publishing && mode === 'catch-up') return outcome
    const members = publishing
      ? await (this.redis as ClaimingRedis).dispatchClaim(RedisKeys.pendingDispatch, dueBefore, now, 500)
      : await this.redis.zrangebyscore(RedisKeys.pendingDispatch, '-inf', dueBefore, 'LIMIT', 0, 500)
    if (members.length === 0) return outcome
    const pending = members.flatMap((member) => {
      const parsed = parsePendingMember(member)
      return parsed ? [{member, ...parsed}] : []
    })
    // An abandoned admission (its client was told the store failed) must never run: its row, if the
    // INSERT was committed after all, goes first, and the entry is then refunded as never stored.
    const outcomes = await this.redis.mget(...pending.map((entry) => RedisKeys.admissionOutcome(entry.requestId)))
    const abandoned = pending.filter((_, index) => outcomes[index] === 'abandoned').map((entry) => entry.requestId)
    if (abandoned.length > 0)
      await this.pg.query("DELETE FROM requests WHERE request_id = ANY($1::uuid[]) AND status = 'queued'", [abandoned])
    const rows = await this.pg.query<RequestRowForDispatch>(
      `SELECT request_id, user_id, tier, model, prompt, max_tokens, estimated_tokens, to_char(quota_day, 'YYYY-MM-DD') AS quota_day, quota_month, priority, status, created_at
       FROM requests WHERE request_id = ANY($1::uuid[])`,
      [pending.map((entry) => entry.requestId)],
    )
    const byId = new Map(rows.rows.map((row) => [row.request_id, row]))
    await Promise.all(
      pending.map(async (entry) => {
        const row = byId.get(entry.requestId)
        if (row?.status === 'queued') {
          if (!publishing) return void outcome.deferred++
          outcome.republished++
          return this.publish(toMessage(row), entry.member, row.created_at)
        }
        if (!row) {
          if (mode === 'catch-up') return void outcome.deferred++
          if (await refundAdmission(this.redis, entry)) {
            outcome.released++
            this.log.warn('refunded the admission of a request that was never stored', {request_id: entry.requestId})
          }
          return
        }
        outcome.forgotten++
        await this.redis.zrem(RedisKeys.pendingDispatch, entry.member)
      }),
    )
    if (outcome.republished + outcome.released > 0) this.log.info('dispatch sweep', outcome)
    return outcome
  }

  /** Holds an accepted request until the linger that the first held one started ends; resolves once it is confirmed (or left to the sweeper). */
  private hold(message: InferenceRequestMessage, member: string, createdAt: Date): Promise<void> {
    this.unconfirmed++
    this.heldTimer ??= setTimeout(() => this.publishHeld(), this.options.lingerMs)
    return new Promise<void>((confirmed) => this.held.push({message, member, createdAt, confirmed}))
  }

  private publishHeld(): void {
    clearTimeout(this.heldTimer)
    this.heldTimer = undefined
    const held = this.held
    this.held = []
    for (const entry of held) {
      this.unconfirmed--
      void this.publish(entry.message, entry.member, entry.createdAt).then(entry.confirmed)
    }
  }

  private publish(message: InferenceRequestMessage, member: string, createdAt: Date): Promise<void> {
    this.unconfirmed++
    const done = this.publisher
      .publish(this.options.queue, message, {
        messageId: message.request_id,
        priority: message.priority,
        timestamp: Math.floor(createdAt.getTime() / 1000),
      })
      .then(
        () => this.cleared.add(member),
        (error: Error) => this.leftToSweeper(error.message),
      )
      .catch((error: Error) =>
        this.log.warn('cannot clear a dispatched request', {request_id: message.request_id, error: error.message}),
      )
      .finally(() => {
        this.unconfirmed--
        this.inFlight.delete(done)
      })
    this.inFlight.add(done)
    return done
  }

  private leftToSweeper(reason: string): void {
    this.missedAt = Date.now()
    this.notQueued.count++
    this.notQueued.error = reason
  }

  private reportNotQueued(): void {
    const {count, error} = this.notQueued
    if (count === 0) return
    this.notQueued = {count: 0, error: ''}
    this.log.warn('requests not queued yet; the sweeper will send them', {requests: count, error})
  }
}

function toMessage(row: RequestRowForDispatch): InferenceRequestMessage {
  const {status: _status, created_at: _createdAt, ...message} = row
  return message
}
