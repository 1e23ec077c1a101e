// Messages published together leave in one socket write (connections.ts corks amqplib's socket
// for each pass of its frame mux), and every one of them still reaches the queue, confirmed.
// Against the real RabbitMQ; it fails if an amqplib upgrade makes the corking a no-op.
import type {Socket} from 'node:net'
import type {ChannelModel} from 'amqplib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ConfirmedPublisher} from '../../src/services/amqp/confirmed-publisher.js'
import {openAmqp, openConfirmChannel} from '../../src/services/runtime/connections.js'
import {createTestVhost, type TestVhost} from '../helpers/infra.js'

describe('publishing over openAmqp', () => {
  let vhost: TestVhost
  let connection: ChannelModel

  beforeAll(async () => {
    vhost = await createTestVhost('sctl_coalesce')
    connection = await openAmqp(vhost.url)
  })
  afterAll(async () => {
    await connection?.close().catch(() => {}) // cleanup; a closed connection is fine
    await vhost?.drop()
  })

  it('sends messages published together in one write, and RabbitMQ confirms and queues every one', async () => {
    const setup = await connection.createChannel()
    await setup.assertQueue('coalesced', {durable: true})
    const publisher = await ConfirmedPublisher.start(() => openConfirmChannel(connection))
    const socket = (connection as unknown as {connection: {stream: Socket}}).connection.stream
    const writes: number[] = []
    const [write, writev] = [socket._write, socket._writev!]
    socket._write = function (chunk, encoding, callback) {
      writes.push(1)
      return write.call(this, chunk, encoding, callback)
    }
    socket._writev = function (chunks, callback) {
      writes.push(chunks.length)
      return writev.call(this, chunks, callback)
    }
    const messages = Array.from({length: 40}, (_, index) => ({index, text: 'x'.repeat(100)}))
    await Promise.all(messages.map((message) => publisher.publish('coalesced', message)))
    Object.assign(socket, {_write: write, _writev: writev})
    // 40 messages of one frame each, in at most a few writes (a write may also carry a heartbeat).
    expect(writes.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(40)
    expect(writes.length).toBeLessThanOrEqual(3)
    const queued = await setup.checkQueue('coalesced')
    expect(queued.messageCount).toBe(40)
    const first = await setup.get('coalesced', {noAck: true})
    expect(first && JSON.parse(first.content.toString())).toEqual(messages[0])
    await publisher.close()
    await setup.close()
  })
})
