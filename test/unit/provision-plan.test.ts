// Pure parts of provisioning: the topic diff and the RabbitMQ topology a manifest's queues stand for.
import {describe, expect, it} from 'vitest'
import {diffTopics, type ObservedTopic} from '../../src/lib/provision/topics-diff.js'
import {DEAD_LETTER_EXCHANGE, queueTopology} from '../../src/lib/stack/queue-topology.js'
import type {Topic} from '../../src/lib/stack/manifest.js'
import {formatTable} from '../../src/lib/text/table.js'

const topic = (name: string, partitions: number, configs: Record<string, string> = {}): Topic => ({name, partitions, replication: 1, configs})
const observed = (name: string, partitions: number, configs: Record<string, string | null> = {}, replication = 1): [string, ObservedTopic] => [name, {name, partitions, replication, configs}]

describe('diffTopics', () => {
  it('creates missing topics, raises partitions, alters differing configs and leaves matching ones', () => {
    const desired = [topic('new', 3, {'retention.ms': '1000'}), topic('grow', 6), topic('tune', 2, {'retention.ms': '5000', 'cleanup.policy': 'delete'}), topic('same', 1, {'retention.ms': '1'})]
    const diff = diffTopics(desired, new Map([observed('grow', 3), observed('tune', 2, {'retention.ms': '9000', 'cleanup.policy': 'delete'}), observed('same', 1, {'retention.ms': '1'})]))
    expect(diff.conflicts).toEqual([])
    expect(diff.changes.map(({name, action, detail}) => [name, action, detail])).toEqual([
      ['new', 'create', '3 partitions, replication 1, 1 config'],
      ['grow', 'update', 'partitions 3 → 6'],
      ['tune', 'update', 'retention.ms 9000 → 5000'],
      ['same', 'none', '1 partition, configs match'],
    ])
    expect(diff.changes[1]).toMatchObject({partitions: 6})
    expect(diff.changes[1]!.configs).toBeUndefined()
    expect(diff.changes[2]).toMatchObject({configs: {'retention.ms': '5000'}})
    expect(diff.changes[2]!.partitions).toBeUndefined()
  })

  it('reports fewer partitions than the topic has as a conflict, and a replication difference as a warning', () => {
    const diff = diffTopics([topic('wide', 2), topic('replicated', 1)], new Map([observed('wide', 6), observed('replicated', 1, {}, 3)]))
    expect(diff.conflicts).toEqual([expect.stringContaining('topic "wide" has 6 partitions and the manifest asks for 2: Kafka cannot remove partitions')])
    expect(diff.warnings).toEqual([expect.stringContaining('topic "replicated" has replication 3, the manifest says 1')])
  })

  it('treats a config the broker does not report as unset', () => {
    const diff = diffTopics([topic('t', 1, {'segment.bytes': '1024'})], new Map([observed('t', 1, {'segment.bytes': null})]))
    expect(diff.changes[0]).toMatchObject({action: 'update', detail: 'segment.bytes (unset) → 1024'})
  })
})

describe('queueTopology', () => {
  it('routes each queue with a DLQ through one dead-letter exchange bound to the DLQ', () => {
    const topology = queueTopology([
      {name: 'work', durable: true, maxPriority: 10, deadLetterQueue: 'work.dlq', messageTtlMs: 60_000},
      {name: 'work.dlq', durable: true, maxPriority: 0},
    ])
    expect(topology.exchanges).toEqual([{name: DEAD_LETTER_EXCHANGE, type: 'direct', durable: true}])
    expect(topology.queues).toEqual([
      {name: 'work', durable: true, arguments: {'x-max-priority': 10, 'x-message-ttl': 60_000, 'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE, 'x-dead-letter-routing-key': 'work.dlq'}},
      {name: 'work.dlq', durable: true, arguments: {}},
    ])
    expect(topology.bindings).toEqual([{queue: 'work.dlq', exchange: DEAD_LETTER_EXCHANGE, routingKey: 'work.dlq'}])
  })

  it('declares no exchange when no queue dead-letters', () => {
    expect(queueTopology([{name: 'plain', durable: false, maxPriority: 0}])).toEqual({exchanges: [], queues: [{name: 'plain', durable: false, arguments: {}}], bindings: []})
  })
})

describe('formatTable', () => {
  it('aligns text left and numbers right', () => {
    expect(formatTable([['NAME', 'COUNT'], ['a', 5], ['long-name', 120]])).toBe('NAME       COUNT\na              5\nlong-name    120')
  })
})
