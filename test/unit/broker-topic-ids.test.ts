// Topic ids kept with each topic's descriptor, and the log's answer to ListOffsets MAX_TIMESTAMP.
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {PartitionLog} from '../../src/broker/log/partition-log.js'
import {logSettings} from '../../src/broker/log/topic-config.js'
import {TopicStore} from '../../src/broker/log/topic-store.js'
import {buildRecordBatch} from '../../src/broker/protocol/record-batch-builder.js'
import {validateBatches} from '../../src/broker/protocol/record-batch.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-topic-ids-test-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('topic ids', () => {
  it('gives a topic stored before topics had ids one at load, and keeps it from then on', async () => {
    await mkdir(path.join(dir, 'topics', 'legacy'), {recursive: true})
    await writeFile(
      path.join(dir, 'topics', 'legacy', 'topic.json'),
      JSON.stringify({name: 'legacy', partitions: 1, configs: {}}),
    )
    const first = new TopicStore(dir)
    first.load()
    const id = first.describe('legacy')!.topicId
    first.close()
    expect(JSON.parse(await readFile(path.join(dir, 'topics', 'legacy', 'topic.json'), 'utf8')).topicId).toBe(id)
    const second = new TopicStore(dir)
    second.load()
    expect(second.describe('legacy')!.topicId).toBe(id)
    expect(second.nameOf(id)).toBe('legacy')
    second.close()
  })

  it('gives a deleted and re-created topic of the same name a new id, and forgets the old one', () => {
    const store = new TopicStore(dir)
    store.load()
    const before = store.create('orders', 1).topicId
    store.delete('orders')
    const after = store.create('orders', 1).topicId
    expect(after).not.toBe(before)
    expect(store.nameOf(before)).toBeUndefined()
    expect(store.nameOf(after)).toBe('orders')
    store.close()
  })
})

describe('the offset of the largest timestamp', () => {
  it('is the first record holding it, across segments, whatever order the timestamps came in', () => {
    // Tiny segments, so every batch rolls a new one.
    const {log} = PartitionLog.open(dir, {...logSettings({}), segmentBytes: 1})
    expect(log.offsetOfMaxTimestamp()).toBeUndefined()
    const append = (timestamps: number[]) => {
      const batch = buildRecordBatch(timestamps.map((timestamp) => ({value: 'v', timestamp})))
      const validated = validateBatches(batch)
      if (!('batches' in validated)) throw new Error(validated.problem)
      log.append(batch, validated.batches)
    }
    append([1_000, 1_200])
    append([1_100, 9_000, 1_300, 9_000])
    append([2_000])
    expect(log.segmentCount).toBe(3)
    expect(log.offsetOfMaxTimestamp()).toEqual({offset: 3, timestamp: 9_000})
    log.close()
  })
})
