// Records deleted under a replay that reads them. Retention removes what is older than a topic's
// retention.ms; kafkajs then resets its consumer to the new log start and fetches nothing of the
// range, so a reader that only waited for the range's end hung for ever (seen in `npm run bench`,
// whose recording was older than the topic's week). The embedded broker runs in this process with
// a 100 ms retention check, so deletion happens within the test.
import {Kafka, logLevel} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startBroker, type RunningBroker} from '../../src/broker/broker.js'
import {silentLogger} from '../../src/broker/logger.js'
import {StreamctlError} from '../../src/lib/errors.js'
import {readTopicRange} from '../../src/lib/replay/topic-reader.js'
import {eventually} from '../helpers/services.js'

describe('replay reading a range that retention deletes', {timeout: 60_000}, () => {
  let broker: RunningBroker
  let kafka: Kafka

  beforeAll(async () => {
    broker = await startBroker({port: 0, retentionCheckMs: 100, fsync: 'never', logger: silentLogger})
    kafka = new Kafka({
      clientId: 'replay-retention-test',
      brokers: [`127.0.0.1:${broker.port}`],
      logLevel: logLevel.NOTHING,
    })
  })
  afterAll(async () => {
    await broker?.close()
  })

  it('fails naming the deleted offsets instead of waiting for them', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [{topic: 'expiring', numPartitions: 1, configEntries: [{name: 'retention.ms', value: '60000'}]}],
      waitForLeaders: true,
    })
    const producer = kafka.producer()
    await producer.connect()
    // An hour old, against a minute of retention: the next checks roll the segment, then delete it.
    const hourAgo = Date.now() - 3_600_000
    await producer.send({
      topic: 'expiring',
      acks: -1,
      messages: Array.from({length: 50}, (_, index) => ({
        key: `k${index}`,
        value: `v${index}`,
        timestamp: String(hourAgo + index),
      })),
    })
    await producer.disconnect()
    await eventually(
      async () => {
        const [bounds] = await admin.fetchTopicOffsets('expiring')
        return bounds!.low === '50' && bounds!.high === '50' ? true : undefined
      },
      20_000,
      'retention to delete the 50 records',
    )
    await admin.disconnect()

    const chunks: number[] = []
    const started = Date.now()
    const error = await readTopicRange(
      kafka,
      'expiring',
      [{partition: 0, start: 0, end: 50}],
      async (_partition, records) => void chunks.push(records.length),
      {watchMs: 200},
    ).then(
      () => undefined,
      (failure: unknown) => failure,
    )
    expect(error).toBeInstanceOf(StreamctlError)
    expect(error).toMatchObject({
      code: 'REPLAY_RECORDS_DELETED',
      message:
        'topic "expiring" partition 0: offsets 0-49 were deleted while the replay read them (the log now starts at 50), most likely by the topic\'s retention.ms',
    })
    expect((error as StreamctlError).hint).toContain('--timestamps now')
    expect(chunks).toEqual([])
    // Not a timeout: the watchdog's first look after the group join finds the log start moved.
    expect(Date.now() - started).toBeLessThan(30_000)
  })
})
