import {describe, expect, it} from 'vitest'
import {StreamctlError} from '../../src/lib/errors.js'
import {describeOffsetSpec, isReversedRange, parseOffsetSpec, REPLAY_WORDS} from '../../src/lib/kafka/offset-spec.js'
import {fileRange} from '../../src/lib/replay/file-range.js'
import {generateDay} from '../../src/lib/replay/fixture-generator.js'
import {parseSpeed} from '../../src/lib/replay/pacer.js'
import {parseRecording} from '../../src/lib/replay/recording.js'
import {parseTarget} from '../../src/lib/replay/replay-flags.js'

describe('replay flags', () => {
  it('parses speeds and targets, and names the flag when they are wrong', () => {
    expect(parseSpeed('10x')).toBe(10)
    expect(parseSpeed('0.5x')).toBe(0.5)
    expect(parseSpeed('max')).toBe('max')
    expect(() => parseSpeed('fast')).toThrow(/--speed fast/)
    expect(() => parseSpeed('0x')).toThrow(StreamctlError)
    expect(parseTarget('topic:user-events-copy')).toEqual({kind: 'topic', topic: 'user-events-copy'})
    expect(() => parseTarget('database')).toThrow(/--target database: expected projector, gateway or topic:<name>/)
    expect(() => parseOffsetSpec('yesterday', Date.now(), '--from')).toThrow(/^--from yesterday:/)
  })

  it('say beginning and end, and take earliest and latest for them', () => {
    expect(parseOffsetSpec('beginning', 0, '--from', REPLAY_WORDS)).toEqual({kind: 'earliest'})
    expect(parseOffsetSpec('earliest', 0, '--from', REPLAY_WORDS)).toEqual({kind: 'earliest'})
    expect(parseOffsetSpec('end', 0, '--to', REPLAY_WORDS)).toEqual({kind: 'latest'})
    expect(parseOffsetSpec('latest', 0, '--to', REPLAY_WORDS)).toEqual({kind: 'latest'})
    expect(describeOffsetSpec({kind: 'earliest'}, REPLAY_WORDS)).toBe('beginning')
    expect(describeOffsetSpec({kind: 'latest'}, REPLAY_WORDS)).toBe('end')
    expect(() => parseOffsetSpec('yesterday', 0, '--from', REPLAY_WORDS)).toThrow(
      /^--from yesterday: expected beginning, end, an offset/,
    )
  })

  it('know a range whose --to comes before its --from, whatever the log holds', () => {
    const now = Date.parse('2026-12-06T20:00:00Z')
    const spec = (text: string) => parseOffsetSpec(text, now, '--from', REPLAY_WORDS)
    expect(isReversedRange(spec('-2h'), spec('-3h'))).toBe(true)
    expect(isReversedRange(spec('-3h'), spec('-2h'))).toBe(false)
    expect(isReversedRange(spec('500'), spec('100'))).toBe(true)
    expect(isReversedRange(spec('100'), spec('100'))).toBe(false)
    expect(isReversedRange(spec('end'), spec('beginning'))).toBe(true)
    expect(isReversedRange(spec('beginning'), spec('-1h'))).toBe(false)
    // An offset and a time can only be compared against the log.
    expect(isReversedRange(spec('500'), spec('-3h'))).toBe(false)
  })
})

describe('recordings', () => {
  const line = (ts: string, id: string) => JSON.stringify({event_id: id, type: 'search', user_id: 'u1', query: 'x', ts})

  it('names file:line of a malformed line', () => {
    expect(() => parseRecording(`${line('2026-11-24T10:00:00Z', 'evt-00000001')}\n\n{oops\n`, 'day.ndjson')).toThrow(
      /^day\.ndjson:3: not valid JSON/,
    )
    expect(() => parseRecording('[1,2]\n', 'day.ndjson')).toThrow(/^day\.ndjson:1: expected one JSON object per line/)
    expect(() => parseRecording('{"event_id":"evt-00000001","ts":"noon"}\n', 'day.ndjson')).toThrow(
      /^day\.ndjson:1: "ts" must be/,
    )
    expect(() =>
      parseRecording(`${line('2026-11-24T10:00:00Z', 'x')}\n`, 'day.ndjson', () => ['event_id: must match pattern']),
    ).toThrow(/^day\.ndjson:1: event_id: must match pattern/)
  })

  it('picks a range by index or by the first event at or after a time, [from, to)', () => {
    const records = parseRecording(
      ['10:00', '10:05', '10:10', '10:15']
        .map((time, index) => line(`2026-11-24T${time}:00Z`, `evt-0000000${index}`))
        .join('\n'),
      'r.ndjson',
    )
    expect(records.map((record) => record.key)).toEqual(['u1', 'u1', 'u1', 'u1'])
    expect(
      fileRange(records, parseOffsetSpec('2026-11-24T10:03:00Z'), parseOffsetSpec('2026-11-24T10:10:00Z')),
    ).toEqual({partition: 0, start: 1, end: 2})
    expect(fileRange(records, {kind: 'offset', offset: 2}, undefined)).toEqual({partition: 0, start: 2, end: 4})
    expect(fileRange(records, parseOffsetSpec('2026-11-25T00:00:00Z'), undefined)).toEqual({
      partition: 0,
      start: 4,
      end: 4,
    })
  })
})

describe('fixture generator', () => {
  it('is deterministic and has the evening peak at about 3x the daytime rate', () => {
    const options = {events: 20_000, users: 500, content: 50, day: '2026-11-24', seed: 9}
    const day = generateDay(options)
    expect(generateDay(options)).toEqual(day)
    expect(day.map((event) => event.ts)).toEqual([...day.map((event) => event.ts)].sort())
    const perHour = new Array<number>(24).fill(0)
    for (const event of day) perHour[new Date(event.ts).getUTCHours()]!++
    const peak = (perHour[20]! + perHour[21]! + perHour[22]!) / 3
    const daytime = (perHour[10]! + perHour[11]! + perHour[13]! + perHour[14]!) / 4
    expect(peak / daytime).toBeGreaterThan(2.5)
    expect(peak / daytime).toBeLessThan(3.5)
    const users = new Map<string, number>()
    for (const event of day) users.set(event.user_id, (users.get(event.user_id) ?? 0) + 1)
    expect(Math.max(...users.values())).toBeGreaterThan((20 * (day.length / users.size)) / 10)
  })
})
