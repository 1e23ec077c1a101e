// Publishing JSON to a queue on a confirm channel: the returned promise settles when RabbitMQ has
// taken responsibility for the message (publisher confirms), or rejects when it refused it.
import type {ConfirmChannel, Options} from 'amqplib'

export class ConfirmedPublisher {
  private closed = false

  constructor(private readonly channel: ConfirmChannel) {
    channel.on('close', () => (this.closed = true))
  }

  get open(): boolean {
    return !this.closed
  }

  publish(queue: string, message: unknown, options: Options.Publish = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the AMQP channel is closed'))
    return new Promise<void>((resolve, reject) => {
      this.channel.sendToQueue(queue, Buffer.from(JSON.stringify(message)), {persistent: true, contentType: 'application/json', ...options}, (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()))
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.channel.waitForConfirms().catch(() => {})
    await this.channel.close().catch(() => {})
  }
}
