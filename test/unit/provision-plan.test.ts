// Pure parts of provisioning: the topic diff, and the table the plan is printed as.
import {describe, expect, it} from 'vitest'
import {diffTopics, type ObservedTopic} from '../../src/lib/provision/topics-diff.js'
import type {Topic} from '../../src/lib/stack/manifest.js'
import {formatTable} from '../../src/lib/text/table.js'

const topic = (name: string, partitions: number, configs: Record<string, string> = {}): Topic => ({
  name,
  partitions,
  replication: 1,
  configs,
})
const observed = (
  name: string,
  partitions: number,
  configs: Record<string, string | null> = {},
  replication = 1,
): [string, ObservedTopic] => [name, {name, partitions, replication, configs}]

describe('diffTopics', () => {
  it('creates missing topics, raises partitions, alters differing configs and leaves matching ones', () => {
    const desired = [
      topic('new', 3, {'retention.ms': '1000'}),
      topic('grow', 6),
      topic('tune', 2, {'retention.ms': '5000', 'cleanup.policy': 'delete'}),
      topic('same', 1, {'retention.ms': '1'}),
    ]
    const diff = diffTopics(
      desired,
      new Map([
        observed('grow', 3),
        observed('tune', 2, {'retention.ms': '9000', 'cleanup.policy': 'delete'}),
        observed('same', 1, {'retention.ms': '1'}),
      ]),
    )
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
    const diff = diffTopics(
      [topic('wide', 2), topic('replicated', 1)],
      new Map([observed('wide', 6), observed('replicated', 1, {}, 3)]),
    )
    expect(diff.conflicts).toEqual([
      expect.stringContaining(
        'topic "wide" has 6 partitions and the manifest asks for 2: Kafka cannot remove partitions',
      ),
    ])
    expect(diff.warnings).toEqual([
      expect.stringContaining('topic "replicated" has replication 3, the manifest says 1'),
    ])
  })

  it('refuses to plan a new topic with more replicas than the cluster has brokers', () => {
    const diff = diffTopics([{...topic('wide', 1), replication: 3}], new Map(), 1)
    expect(diff.conflicts).toEqual([
      'topic "wide" asks for replication 3 and the cluster has 1 broker (lower topics[].replication)',
    ])
  })

  it('treats a config the broker does not report as unset', () => {
    const diff = diffTopics(
      [topic('t', 1, {'segment.bytes': '1024'})],
      new Map([observed('t', 1, {'segment.bytes': null})]),
    )
    expect(diff.changes[0]).toMatchObject({action: 'update', detail: 'segment.bytes (unset) → 1024'})
  })
})

describe('formatTable', () => {
  it('aligns text left and numbers right', () => {
    expect(
      formatTable([
        ['NAME', 'COUNT'],
        ['a', 5],
        ['long-name', 120],
      ]),
    ).toBe('NAME       COUNT\na              5\nlong-name    120')
  })
})
