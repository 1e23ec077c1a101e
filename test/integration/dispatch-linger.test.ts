// The gateway's dispatch linger against real PostgreSQL, Redis and RabbitMQ: accepted requests wait
// up to DISPATCH_LINGER_MS, already answered, to be published to inference_requests together; they
// stay in the pending-dispatch set meanwhile, and a gateway that shuts down publishes what it holds
// rather than leaving it to another gateway's sweeper.
import amqp, {type ChannelModel} from 'amqplib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {RedisKeys} from '../../src/services/redis/keys.js'
import {eventually} from '../helpers/services.js'
import {createInferenceStack, generate, type InferenceStack} from '../helpers/inference-stack.js'

describe('dispatch linger', () => {
  let stack: InferenceStack
  let connection: ChannelModel

  beforeAll(async () => {
    stack = await createInferenceStack({users: {roomy: 'roomy'}})
    connection = await amqp.connect(stack.vhost.url)
  })
  afterAll(async () => {
    await connection?.close()
    await stack?.close()
  })

  /** The request ids waiting in inference_requests, taken off the queue. */
  async function drainQueue(): Promise<string[]> {
    const channel = await connection.createChannel()
    const ids: string[] = []
    for (
      let message = await channel.get('inference_requests', {noAck: true});
      message;
      message = await channel.get('inference_requests', {noAck: true})
    ) {
      ids.push((JSON.parse(message.content.toString()) as {request_id: string}).request_id)
    }
    await channel.close()
    return ids
  }
  const queued = async () => {
    const channel = await connection.createChannel()
    const {messageCount} = await channel.checkQueue('inference_requests')
    await channel.close()
    return messageCount
  }

  // The linger is long enough that the twelve answers and the checks after them fit in it on a loaded machine.
  it('holds accepted requests for the linger, then publishes them together and clears them from the pending set', async () => {
    const gateway = (await stack.start('gateway', {DISPATCH_LINGER_MS: '6000'})).url
    try {
      const accepted = await Promise.all(Array.from({length: 12}, () => generate(gateway, stack.users.roomy!)))
      expect(accepted.map((result) => result.status)).toEqual(accepted.map(() => 202))
      const ids = accepted.map((result) => result.body.request_id as string)
      // Answered, stored and pending; not on the queue while the linger lasts.
      expect(await stack.redis.zcard(RedisKeys.pendingDispatch)).toBe(12)
      expect(await queued()).toBe(0)
      await eventually(
        async () => ((await queued()) === 12 ? true : undefined),
        20_000,
        'the held requests to be published',
      )
      await eventually(
        async () => ((await stack.redis.zcard(RedisKeys.pendingDispatch)) === 0 ? true : undefined),
        10_000,
        'the confirmed requests to leave the pending set',
      )
      expect((await drainQueue()).sort()).toEqual([...ids].sort())
    } finally {
      await stack.stop('gateway')
    }
  })

  it('publishes what it holds when it shuts down, without waiting for the linger or the sweeper', async () => {
    // A linger and a grace period far longer than the test: only the shutdown can publish these.
    const gateway = (await stack.start('gateway', {DISPATCH_LINGER_MS: '60000', DISPATCH_GRACE_MS: '600000'})).url
    const accepted = await Promise.all(Array.from({length: 5}, () => generate(gateway, stack.users.roomy!)))
    expect(accepted.map((result) => result.status)).toEqual(accepted.map(() => 202))
    const ids = accepted.map((result) => result.body.request_id as string)
    expect(await queued()).toBe(0)
    await stack.stop('gateway')
    // Published and confirmed before the gateway stopped.
    expect(await stack.redis.zcard(RedisKeys.pendingDispatch)).toBe(0)
    expect((await drainQueue()).sort()).toEqual([...ids].sort())
  })
})
