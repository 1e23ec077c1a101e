// `groups seek` planning: parsing --to, resolving it to concrete offsets per partition, refusing
// a live group, and the --brokers list.
import {describe, expect, it} from 'vitest'
import {parseBrokerList} from '../../src/lib/stack/kafka-brokers.js'
import {parseOffsetSpec} from '../../src/lib/kafka/offset-spec.js'
import {assertGroupInactive, partitionKey, planSeek, type PartitionBounds} from '../../src/lib/kafka/seek-plan.js'
import {StreamctlError} from '../../src/lib/errors.js'

const NOW = Date.parse('2026-11-25T12:00:00Z')

describe('parseOffsetSpec', () => {
  it('reads earliest, latest, offsets, ISO times and durations ago', () => {
    expect(parseOffsetSpec('earliest')).toEqual({kind: 'earliest'})
    expect(parseOffsetSpec('beginning')).toEqual({kind: 'earliest'})
    expect(parseOffsetSpec('latest')).toEqual({kind: 'latest'})
    expect(parseOffsetSpec('1200')).toEqual({kind: 'offset', offset: 1200})
    expect(parseOffsetSpec('2026-11-25T08:00:00Z')).toEqual({
      kind: 'timestamp',
      timestamp: Date.parse('2026-11-25T08:00:00Z'),
    })
    expect(parseOffsetSpec('-2h', NOW)).toEqual({kind: 'timestamp', timestamp: NOW - 7_200_000})
    expect(parseOffsetSpec('-1h30m', NOW)).toEqual({kind: 'timestamp', timestamp: NOW - 5_400_000})
  })

  it('names --to and what it accepts when the value is none of them', () => {
    for (const bad of ['yesterday', '-2x', '2026-13-45T99:00:00Z', '-', '12.5']) {
      const error = (() => {
        try {
          parseOffsetSpec(bad, NOW)
        } catch (caught) {
          return caught
        }
      })() as StreamctlError
      expect(error).toBeInstanceOf(StreamctlError)
      expect(error.code).toBe('INVALID_FLAG')
      expect(error.message).toMatch(
        new RegExp(`^--to ${bad.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}: .*earliest, latest`),
      )
    }
  })
})

describe('planSeek', () => {
  const bounds: PartitionBounds[] = [
    {topic: 'b', partition: 0, earliest: 10, latest: 50},
    {topic: 'a', partition: 1, earliest: 0, latest: 0},
    {topic: 'a', partition: 0, earliest: 5, latest: 100},
  ]
  const committed = new Map([[partitionKey('a', 0), 90]])

  it("moves to each partition's own earliest or latest offset, never a sentinel", () => {
    expect(
      planSeek({kind: 'earliest'}, bounds, committed).map((move) => [
        move.topic,
        move.partition,
        move.current,
        move.target,
      ]),
    ).toEqual([
      ['a', 0, 90, 5],
      ['a', 1, undefined, 0],
      ['b', 0, undefined, 10],
    ])
    expect(planSeek({kind: 'latest'}, bounds, committed).map((move) => move.target)).toEqual([100, 0, 50])
  })

  it('clamps an offset outside the log to its nearest end and says so', () => {
    const moves = planSeek({kind: 'offset', offset: 20}, bounds, committed)
    expect(moves.map((move) => move.target)).toEqual([20, 0, 20])
    expect(moves[1]!.note).toMatch(/past the log end/)
    expect(planSeek({kind: 'offset', offset: 3}, bounds, committed)[0]).toMatchObject({
      target: 5,
      note: expect.stringMatching(/before the log start/),
    })
  })

  it('uses the offset found for a time, and the log end when no record is that recent', () => {
    const timed: PartitionBounds[] = [
      {topic: 't', partition: 0, earliest: 0, latest: 40, atTimestamp: 17},
      {topic: 't', partition: 1, earliest: 0, latest: 40, atTimestamp: -1},
    ]
    const moves = planSeek({kind: 'timestamp', timestamp: NOW}, timed, new Map())
    expect(moves.map((move) => move.target)).toEqual([17, 40])
    expect(moves[1]!.note).toMatch(/no record at or after/)
    expect(moves.every((move) => move.target >= 0)).toBe(true)
  })
})

describe('assertGroupInactive', () => {
  it('lets an empty or unknown group through and refuses one with members', () => {
    expect(() => assertGroupInactive('g', 'Empty', 0)).not.toThrow()
    expect(() => assertGroupInactive('g', 'Dead', 0)).not.toThrow()
    expect(() => assertGroupInactive('g', 'Stable', 2)).toThrow(
      /consumer group "g" has 2 live members \(state Stable\)/,
    )
    expect(() => assertGroupInactive('g', 'PreparingRebalance', 0)).toThrow(StreamctlError)
  })
})

describe('parseBrokerList', () => {
  it('accepts host:port lists and names the entry that is not one', () => {
    expect(parseBrokerList('a:9092, b:9093')).toEqual(['a:9092', 'b:9093'])
    expect(parseBrokerList('[::1]:9092')).toEqual(['[::1]:9092'])
    expect(() => parseBrokerList('a:9092,b')).toThrow('--brokers: "b" is not host:port')
    expect(() => parseBrokerList('a:99999')).toThrow('"a:99999" is not host:port')
    expect(() => parseBrokerList(' , ')).toThrow('--brokers: expected host:port')
  })
})
