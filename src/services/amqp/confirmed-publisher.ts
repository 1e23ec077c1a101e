// Publishing JSON to a queue on a confirm channel: the returned promise settles when RabbitMQ has
// taken responsibility for the message (publisher confirms), or rejects when it refused it.
//
// The channel comes from a factory, and one path opens it, with backoff, until it succeeds or the
// publisher is closed: at start (first try at once; a service starts while RabbitMQ is unreachable)
// and whenever the channel closes (RabbitMQ restarted, the connection was cut). While there is no
// channel, `open` is false and publishes reject at once. What was unconfirmed on a lost channel
// rejects; its callers decide (the gateway's sweeper publishes again; the worker publishes again
// with publishRetrying, holding its message until then).
import {setMaxListeners} from 'node:events'
import type {ConfirmChannel, Options} from 'amqplib'
import {BackgroundRetry, retryUntil} from '../runtime/backoff.js'
import type {Logger} from '../telemetry/log.js'

export type ConfirmChannelFactory = () => Promise<ConfirmChannel>

export class ConfirmedPublisher {
  private channel: ConfirmChannel | undefined
  private closed = false
  private readonly stop = new AbortController()
  private readonly opener: BackgroundRetry<ConfirmChannel>
  private readonly opened: Array<() => void> = []

  private constructor(
    private readonly openChannel: ConfirmChannelFactory,
    private readonly log?: Logger,
    private readonly retry = {baseMs: 250, maxMs: 5000},
  ) {
    // Every publishRetrying under way listens on it (a worker holds up to its prefetch of them).
    setMaxListeners(0, this.stop.signal)
    this.opener = new BackgroundRetry(
      openChannel,
      {...retry, timeoutMs: 10_000, signal: this.stop.signal},
      (late) => void late.close().catch(() => {}), // opened too late and unused; a failed close leaves nothing open
    )
  }

  /**
   * A publisher that opens its channel from `openChannel`. Resolves once the first try has settled:
   * with a channel (`open`), or without, and it goes on trying in the background.
   */
  static async start(
    openChannel: ConfirmChannelFactory,
    log?: Logger,
    retry?: {baseMs: number; maxMs: number},
  ): Promise<ConfirmedPublisher> {
    const publisher = new ConfirmedPublisher(openChannel, log, retry)
    await publisher.connect('start')
    return publisher
  }

  /** Calls `listener` each time a channel opens from now on (a first open that came late, every reopen). */
  onOpen(listener: () => void): void {
    this.opened.push(listener)
  }

  /** Whether a publish can go out now. */
  get open(): boolean {
    return this.channel !== undefined
  }

  publish(queue: string, message: unknown, options: Options.Publish = {}): Promise<void> {
    const channel = this.channel
    if (!channel)
      return Promise.reject(new Error(this.closed ? 'the publisher is closed' : 'no AMQP channel yet; connecting'))
    return new Promise<void>((resolve, reject) => {
      channel.sendToQueue(
        queue,
        Buffer.from(JSON.stringify(message)),
        {persistent: true, contentType: 'application/json', ...options},
        (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
      )
    })
  }

  /**
   * publish(), tried again with backoff (at once the first time) while it fails — no channel yet, a
   * channel lost before the confirm — until RabbitMQ confirms it; rejects once the publisher closes.
   * A confirm lost with its channel means the message may go out twice.
   */
  async publishRetrying(
    queue: string,
    message: unknown,
    options: Options.Publish = {},
    onFailure?: (attempt: number, error: Error) => void,
  ): Promise<void> {
    const published = await retryUntil(() => this.publish(queue, message, options), {
      ...this.retry,
      timeoutMs: 10_000,
      signal: this.stop.signal,
      immediateFirstTry: true,
      onFailure,
    })
    if (!published) throw new Error('the publisher is closed')
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stop.abort()
    await this.opener.running
    const channel = this.channel
    this.channel = undefined
    if (!channel) return
    await channel.waitForConfirms().catch(() => {}) // each unconfirmed publish rejects to its own caller
    await channel.close().catch(() => {}) // RabbitMQ may have closed it already
  }

  private use(channel: ConfirmChannel): void {
    this.channel = channel
    channel.on('close', () => {
      if (this.channel !== channel) return
      this.channel = undefined
      if (!this.closed) void this.connect('reopen')
    })
  }

  /**
   * Opens a channel, retrying with backoff until one opens or the publisher closes: at once at
   * start, after a backoff on a reopen. Resolves once the first try has settled; the rest goes on
   * in the background.
   */
  private connect(why: 'start' | 'reopen'): Promise<void> {
    if (this.opener.running) return Promise.resolve()
    if (why === 'reopen') this.log?.warn('publishing channel closed; reopening')
    const failed = (attempt: number, error: Error) => {
      if (attempt === 1 || attempt % 10 === 0)
        this.log?.warn(
          why === 'start'
            ? 'cannot open the publishing channel yet; retrying in the background'
            : 'cannot reopen the publishing channel yet',
          {attempt, error: error.message},
        )
    }
    return this.opener.run(why === 'start', failed, async (opened) => {
      // Closed meanwhile: the new channel is not wanted, and a failed close leaves nothing open.
      if (this.closed) return void (await opened.value.close().catch(() => {}))
      this.use(opened.value)
      for (const listener of this.opened) listener()
      if (why === 'reopen' || opened.attempts > 1)
        this.log?.info(why === 'start' ? 'publishing channel open' : 'publishing channel reopened', {
          attempts: opened.attempts,
        })
    })
  }
}
