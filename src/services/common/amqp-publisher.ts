// Publishing JSON to a queue on a confirm channel: the returned promise settles when RabbitMQ has
// taken responsibility for the message (publisher confirms), or rejects when it refused it.
//
// The channel comes from a factory, so the publisher outlives its connection: when the channel
// closes (RabbitMQ restarted, the connection was cut) publishes reject at once and `open` is false
// while it opens a new one in the background, with backoff, until it succeeds or the publisher is
// closed. What was unconfirmed on the lost channel rejects; its callers decide (the gateway's
// sweeper publishes again, the worker leaves its message unacked for redelivery).
import type {ConfirmChannel, Options} from 'amqplib'
import {retryUntil} from './backoff.js'
import type {Logger} from './log.js'

export type ConfirmChannelFactory = () => Promise<ConfirmChannel>

export class ConfirmedPublisher {
  private channel: ConfirmChannel | undefined
  private closed = false
  private readonly stop = new AbortController()
  private reopening: Promise<void> | undefined

  private constructor(
    private readonly openChannel: ConfirmChannelFactory,
    private readonly log?: Logger,
    private readonly retry = {baseMs: 250, maxMs: 5000},
  ) {}

  /** A publisher on a first channel from `openChannel` (which rejects as it does). */
  static async open(openChannel: ConfirmChannelFactory, log?: Logger, retry?: {baseMs: number; maxMs: number}): Promise<ConfirmedPublisher> {
    const publisher = new ConfirmedPublisher(openChannel, log, retry)
    publisher.use(await openChannel())
    return publisher
  }

  /** Whether a publish can go out now. */
  get open(): boolean {
    return this.channel !== undefined
  }

  publish(queue: string, message: unknown, options: Options.Publish = {}): Promise<void> {
    const channel = this.channel
    if (!channel) return Promise.reject(new Error(this.closed ? 'the publisher is closed' : 'the AMQP channel is closed; reconnecting'))
    return new Promise<void>((resolve, reject) => {
      channel.sendToQueue(queue, Buffer.from(JSON.stringify(message)), {persistent: true, contentType: 'application/json', ...options}, (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()))
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stop.abort()
    await this.reopening
    const channel = this.channel
    this.channel = undefined
    if (!channel) return
    await channel.waitForConfirms().catch(() => {})
    await channel.close().catch(() => {})
  }

  private use(channel: ConfirmChannel): void {
    this.channel = channel
    channel.on('close', () => {
      if (this.channel !== channel) return
      this.channel = undefined
      if (!this.closed) this.reopening ??= this.reopen().finally(() => (this.reopening = undefined))
    })
  }

  private async reopen(): Promise<void> {
    this.log?.warn('publishing channel closed; reopening')
    const opened = await retryUntil(this.openChannel, {
      ...this.retry,
      timeoutMs: 10_000,
      signal: this.stop.signal,
      onFailure: (attempt, error) => {
        if (attempt === 1 || attempt % 10 === 0) this.log?.warn('cannot reopen the publishing channel yet', {attempt, error: error.message})
      },
    }, (late) => void late.close().catch(() => {}))
    if (!opened) return
    if (this.closed) return void (await opened.value.close().catch(() => {}))
    this.use(opened.value)
    this.log?.info('publishing channel reopened', {attempts: opened.attempts})
  }
}
