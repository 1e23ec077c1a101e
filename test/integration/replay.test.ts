// streamctl replay end to end (issue 8): a recording loaded into the embedded broker (a real
// process), the live projector folding it, then `streamctl replay` rebuilding the read models in
// PostgreSQL and verifying them, exact time ranges, --from times checked against kcat, and pacing
// measured at a real HTTP server standing in for the gateway.
import {execFile} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {execa} from 'execa'
import type {Kafka} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openKafka} from '../../src/services/runtime/connections.js'
import type {RunningService} from '../../src/services/runtime/service-runtime.js'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {BIN, ROOT} from '../helpers/cli.js'
import {dropRedisPrefix, uniqueName} from '../helpers/infra.js'
import {createTopics, replayCli, replayDatabase, tableRows} from '../helpers/replay.js'
import {eventually, startService} from '../helpers/services.js'

const run = promisify(execFile)
const REDIS_URL = 'redis://127.0.0.1:6379'
const FIXTURE = path.join(ROOT, 'fixtures/day-small.ndjson')

describe('streamctl replay', {timeout: 240_000}, () => {
  let broker: BrokerProcess
  let kafka: Kafka
  let tmp: string
  const cleanups: Array<() => Promise<void>> = []

  beforeAll(async () => {
    broker = await startBrokerProcess()
    kafka = await openKafka(broker.brokers, 'replay-test')
    tmp = await mkdtemp(path.join(os.tmpdir(), 'streamctl-replay-'))
    // user-events and tiny take recordings from 2026-11-24 with their original times, which a week's
    // retention would delete while the tests run: they keep records for good. week has the default.
    await createTopics(kafka, [
      {topic: 'user-events', numPartitions: 3, keep: true},
      {topic: 'content-announcements', numPartitions: 1},
      {topic: 'tiny', numPartitions: 1, keep: true},
      {topic: 'recent', numPartitions: 3},
      {topic: 'week', numPartitions: 1},
    ])
  })
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {}) // cleanup; later cleanups still run
    await broker?.cleanup()
    if (tmp) await rm(tmp, {recursive: true, force: true})
  })

  it('rebuilds the read models the live projector built: --from beginning --target projector --verify passes, and fails naming a tampered table', async () => {
    const database = await replayDatabase('sctl_replay_live')
    cleanups.push(() => database.drop())
    const prefix = `${uniqueName('sctl_replay')}:`
    cleanups.push(() => dropRedisPrefix(REDIS_URL, prefix))
    const projector: RunningService = await startService('projector', {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      KAFKA_BROKERS: broker.brokers.join(','),
      SESSION_TIMEOUT_MS: '2000',
    })
    cleanups.push(() => projector.close())

    const load = await replayCli([
      '--source',
      FIXTURE,
      '--target',
      'topic:user-events',
      '--speed',
      'max',
      '--brokers',
      broker.bootstrap,
    ])
    expect(load.exitCode, load.stdout).toBe(0)
    expect(load.summary!.events).toBe(1000)
    await eventually(
      async () => {
        const row = (
          await tableRows(
            database.pool,
            "SELECT coalesce(sum(next_offset), 0)::int AS n FROM projector_offsets WHERE consumer_group = 'projector' AND topic = 'user-events'",
          )
        )[0]!
        return row.n === 1000 ? true : undefined
      },
      60_000,
      'the live projector to fold the recording',
    )

    const dbFlags = ['--brokers', broker.bootstrap, '--database-url', database.url]
    const dry = await replayCli(['--from', 'beginning', '--target', 'projector', '--dry-run', ...dbFlags])
    expect(dry.exitCode, dry.stdout).toBe(0)
    expect(dry.summary!.partitions.reduce((sum, partition) => sum + partition.events, 0)).toBe(1000)
    expect(dry.summary!.firstEventAt).toBe('2026-11-24T00:06:52.695Z')
    expect(
      (
        await tableRows(database.pool, "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'streamctl_replay'")
      )[0]!.n,
    ).toBe(0)

    const verified = await replayCli(['--from', 'beginning', '--target', 'projector', '--verify', ...dbFlags])
    expect(verified.exitCode, verified.stdout).toBe(0)
    expect(verified.summary!.verify!.ok).toBe(true)
    expect(verified.summary!.events).toBe(1000)
    expect(verified.summary!.checksums!.profiles.rows).toBeGreaterThan(100)

    await database.pool.query(
      'UPDATE trending SET views = views + 1 WHERE content_id = (SELECT min(content_id) FROM trending)',
    )
    const tampered = await replayCli(['--from', 'beginning', '--target', 'projector', '--verify', ...dbFlags])
    expect(tampered.exitCode).toBe(1)
    expect(tampered.error).toMatchObject({
      code: 'REPLAY_VERIFY_FAILED',
      message: 'rebuilt read models differ from the live ones: trending',
      details: {ok: false, differing: ['trending']},
    })
    // Without --verify the rebuild replaces the tampered table; verifying again passes.
    expect((await replayCli(['--from', 'beginning', ...dbFlags])).exitCode).toBe(0)
    const again = await replayCli(['--from', 'beginning', '--verify', ...dbFlags])
    expect(again.exitCode, again.stdout).toBe(0)
    expect(again.summary!.checksums).toEqual(verified.summary!.checksums)
  })

  it('rebuilds exactly the effect of a time range [from, to)', async () => {
    const database = await replayDatabase('sctl_replay_range', [
      {
        event_id: 'c1',
        type: 'content_added',
        content_id: 'c-news',
        title: 'News',
        genres: ['news'],
        ts: '2026-11-24T00:00:00Z',
      },
      {
        event_id: 'c2',
        type: 'content_added',
        content_id: 'c-sport',
        title: 'Sport',
        genres: ['sports'],
        ts: '2026-11-24T00:00:00Z',
      },
    ])
    cleanups.push(() => database.drop())
    const events = [
      {
        event_id: 'evt-range-01',
        type: 'view',
        user_id: 'u1',
        content_id: 'c-news',
        watch_seconds: 100,
        ts: '2026-11-24T09:50:00.000Z',
      },
      {
        event_id: 'evt-range-02',
        type: 'view',
        user_id: 'u1',
        content_id: 'c-news',
        watch_seconds: 600,
        ts: '2026-11-24T10:00:00.000Z',
      },
      {event_id: 'evt-range-03', type: 'like', user_id: 'u1', content_id: 'c-sport', ts: '2026-11-24T10:10:00.000Z'},
      {event_id: 'evt-range-04', type: 'search', user_id: 'u2', query: 'goals', ts: '2026-11-24T10:15:00.000Z'},
      {
        event_id: 'evt-range-05',
        type: 'view',
        user_id: 'u2',
        content_id: 'c-sport',
        watch_seconds: 1200,
        ts: '2026-11-24T10:29:59.000Z',
      },
      {event_id: 'evt-range-06', type: 'like', user_id: 'u2', content_id: 'c-news', ts: '2026-11-24T10:30:00.000Z'},
      {
        event_id: 'evt-range-07',
        type: 'view',
        user_id: 'u1',
        content_id: 'c-sport',
        watch_seconds: 50,
        ts: '2026-11-24T11:00:00.000Z',
      },
    ]
    const file = path.join(tmp, 'range.ndjson')
    await writeFile(file, events.map((event) => JSON.stringify(event)).join('\n'))
    expect(
      (await replayCli(['--source', file, '--target', 'topic:tiny', '--speed', 'max', '--brokers', broker.bootstrap]))
        .exitCode,
    ).toBe(0)

    const result = await replayCli([
      '--topic',
      'tiny',
      '--from',
      '2026-11-24T10:00:00Z',
      '--to',
      '2026-11-24T10:30:00Z',
      '--group',
      'range-projector',
      '--brokers',
      broker.bootstrap,
      '--database-url',
      database.url,
    ])
    expect(result.exitCode, result.stdout).toBe(0)
    expect(result.summary!.partitions).toEqual([
      {
        partition: 0,
        start: 1,
        end: 5,
        events: 4,
        firstEventAt: '2026-11-24T10:00:00.000Z',
        lastEventAt: '2026-11-24T10:29:59.000Z',
      },
    ])

    // By hand: u1 viewed c-news for 600 s (affinity 1 + 600/600 = 2 to news) and liked c-sport (3);
    // u2 searched once and viewed c-sport for 1200 s (1 + 2 = 3 to sports). The 09:50, 10:30 and 11:00 events are outside.
    expect(
      await tableRows(
        database.pool,
        'SELECT user_id, views::int, likes::int, searches::int, recommendation_requests::int AS rr, watch_seconds, last_event_at FROM profiles ORDER BY user_id',
      ),
    ).toEqual([
      {
        user_id: 'u1',
        views: 1,
        likes: 1,
        searches: 0,
        rr: 0,
        watch_seconds: 600,
        last_event_at: new Date('2026-11-24T10:10:00Z'),
      },
      {
        user_id: 'u2',
        views: 1,
        likes: 0,
        searches: 1,
        rr: 0,
        watch_seconds: 1200,
        last_event_at: new Date('2026-11-24T10:29:59Z'),
      },
    ])
    expect(
      await tableRows(database.pool, 'SELECT user_id, genre, score FROM genre_affinity ORDER BY user_id, genre'),
    ).toEqual([
      {user_id: 'u1', genre: 'news', score: 2},
      {user_id: 'u1', genre: 'sports', score: 3},
      {user_id: 'u2', genre: 'sports', score: 3},
    ])
    expect(
      await tableRows(
        database.pool,
        'SELECT window_start, content_id, views::int, likes::int FROM trending ORDER BY window_start',
      ),
    ).toEqual([
      {window_start: new Date('2026-11-24T10:00:00Z'), content_id: 'c-news', views: 1, likes: 0},
      {window_start: new Date('2026-11-24T10:10:00Z'), content_id: 'c-sport', views: 0, likes: 1},
      {window_start: new Date('2026-11-24T10:29:00Z'), content_id: 'c-sport', views: 1, likes: 0},
    ])
    // The group's stored position is the end of the range, so the live projector continues after it.
    expect(
      await tableRows(
        database.pool,
        "SELECT partition, next_offset::int FROM projector_offsets WHERE consumer_group = 'range-projector'",
      ),
    ).toEqual([{partition: 0, next_offset: 5}])
  })

  it('refuses to copy events older than the target topic keeps records, producing nothing; --timestamps now stamps them with the send time (read back with kcat)', async () => {
    const now = Date.now()
    // Eight days old, against the week that topic week keeps records (retention.ms 604800000).
    const events = Array.from({length: 5}, (_, index) => ({
      event_id: `evt-old-${index}0000`,
      type: 'view',
      user_id: `u${index}`,
      content_id: 'c1',
      watch_seconds: 10,
      ts: new Date(now - 8 * 86_400_000 + index * 1000).toISOString(),
    }))
    const file = path.join(tmp, 'old.ndjson')
    await writeFile(file, events.map((event) => JSON.stringify(event)).join('\n'))
    const kcat = async (args: string[]) =>
      (await run('kcat', ['-b', broker.bootstrap, ...args], {timeout: 30_000})).stdout.trim()

    const refused = await replayCli([
      '--source',
      file,
      '--target',
      'topic:week',
      '--speed',
      'max',
      '--brokers',
      broker.bootstrap,
    ])
    expect(refused.exitCode, refused.stdout).toBe(2)
    expect(refused.error!.code).toBe('REPLAY_PAST_RETENTION')
    expect(refused.error!.message).toContain(
      `the event at partition 0 offset 0 is from ${events[0]!.ts}, older than topic "week" keeps records (retention.ms 604800000, 168h)`,
    )
    expect(refused.error!.message).toContain('nothing was produced')
    expect(refused.error!.hint).toContain('--timestamps now')
    expect(await kcat(['-Q', '-t', 'week:0:-1'])).toBe('week [0] offset 0')

    const stamped = await replayCli([
      '--source',
      file,
      '--target',
      'topic:week',
      '--speed',
      'max',
      '--timestamps',
      'now',
      '--brokers',
      broker.bootstrap,
    ])
    expect(stamped.exitCode, stamped.stdout).toBe(0)
    const after = Date.now()
    const records = (await kcat(['-C', '-t', 'week', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%T %s\\n']))
      .split('\n')
      .map((line) => ({
        timestamp: Number(line.slice(0, line.indexOf(' '))),
        value: JSON.parse(line.slice(line.indexOf(' ') + 1)) as {ts: string},
      }))
    expect(records.map((record) => record.value.ts)).toEqual(events.map((event) => event.ts))
    for (const record of records)
      expect(
        record.timestamp >= now && record.timestamp <= after,
        `record timestamp ${record.timestamp} within the replay (${now}-${after})`,
      ).toBe(true)

    const wrongTarget = await replayCli([
      '--source',
      file,
      '--target',
      'gateway',
      '--timestamps',
      'now',
      '--gateway',
      'http://127.0.0.1:9',
    ])
    expect(wrongTarget.exitCode).toBe(2)
    expect(wrongTarget.error).toMatchObject({
      code: 'INVALID_FLAG',
      message: '--timestamps: only a topic:<name> target writes record timestamps',
    })
  })

  it('--from an ISO time and -1h start at the first record at or after that time, as kcat -o s@<ms> finds it', async () => {
    const now = Date.now()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'recent',
      acks: -1,
      messages: Array.from({length: 90}, (_, index) => ({
        key: `user-${index % 7}`,
        value: JSON.stringify({n: index}),
        timestamp: String(now - 3 * 3_600_000 + index * 2 * 60_000 + 17_000),
      })),
    })
    await producer.disconnect()
    const kcatOffset = async (partition: number, ms: number) => {
      const {stdout} = await run(
        'kcat',
        [
          '-C',
          '-b',
          broker.bootstrap,
          '-t',
          'recent',
          '-p',
          String(partition),
          '-o',
          `s@${ms}`,
          '-c',
          '1',
          '-e',
          '-q',
          '-f',
          '%o\\n',
        ],
        {timeout: 30_000},
      )
      return stdout.trim() === '' ? undefined : Number(stdout.trim())
    }
    for (const from of ['-1h', new Date(now - 100 * 60_000).toISOString()]) {
      const result = await replayCli(['--topic', 'recent', '--from', from, '--dry-run', '--brokers', broker.bootstrap])
      expect(result.exitCode, result.stdout).toBe(0)
      const at = Date.parse(/at or after (\S+)/.exec(result.summary!.from)![1]!)
      if (from === '-1h') expect(Math.abs(at - (now - 3_600_000))).toBeLessThan(60_000)
      for (const partition of result.summary!.partitions) {
        expect(partition.start, `partition ${partition.partition} from ${from}`).toBe(
          (await kcatOffset(partition.partition, at)) ?? partition.end,
        )
        if (partition.events > 0) expect(Date.parse(partition.firstEventAt!)).toBeGreaterThanOrEqual(at)
      }
      expect(result.summary!.partitions.reduce((sum, partition) => sum + partition.events, 0)).toBeGreaterThan(0)
    }
  })

  it('paces a recording with known gaps by --speed, measured where the events arrive, and max is unpaced; a malformed line is file:line, exit 2', async () => {
    const arrivals: number[] = []
    const server = http.createServer((request, response) => {
      request.resume()
      request.on('end', () => {
        arrivals.push(performance.now())
        response.writeHead(202, {'content-type': 'application/json'}).end('{}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())))
    const gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    // Gaps of 4, 4, 4 and 8 s: a 20 s span.
    const offsets = [0, 4000, 8000, 12_000, 20_000]
    const file = path.join(tmp, 'gaps.ndjson')
    await writeFile(
      file,
      offsets
        .map((offset, index) =>
          JSON.stringify({
            event_id: `evt-gap-${index}0000`,
            type: 'recommendation_request',
            user_id: 'u1',
            ts: new Date(Date.UTC(2026, 10, 24, 20) + offset).toISOString(),
          }),
        )
        .join('\n'),
    )
    const span = () => arrivals.at(-1)! - arrivals[0]!

    const paced = await replayCli([
      '--source',
      file,
      '--target',
      'gateway',
      '--gateway',
      gateway,
      '--api-key',
      'sctl_000000000000_test',
      '--speed',
      '10x',
    ])
    expect(paced.exitCode, paced.stdout).toBe(0)
    expect(arrivals).toHaveLength(5)
    // A tenth of 20 s is 2 s; pacing never releases early, and the tolerance above is generous for a loaded machine.
    expect(span() / 20_000).toBeGreaterThan(0.095)
    expect(span() / 20_000).toBeLessThan(0.25)
    expect(paced.summary!.originalSpanMs).toBe(20_000)

    arrivals.length = 0
    const unpaced = await replayCli([
      '--source',
      file,
      '--target',
      'gateway',
      '--gateway',
      gateway,
      '--api-key',
      'sctl_000000000000_test',
      '--speed',
      'max',
    ])
    expect(unpaced.exitCode, unpaced.stdout).toBe(0)
    expect(arrivals).toHaveLength(5)
    expect(span() / 20_000).toBeLessThan(0.05)

    const broken = path.join(tmp, 'broken.ndjson')
    await writeFile(
      broken,
      `${JSON.stringify({event_id: 'evt-ok-000001', type: 'search', user_id: 'u1', query: 'x', ts: '2026-11-24T20:00:00Z'})}\n{"event_id": "evt-bad-1", "type":\n`,
    )
    const bad = await replayCli(['--source', broken, '--target', 'gateway', '--gateway', gateway, '--api-key', 'k'])
    expect(bad.exitCode).toBe(2)
    expect(bad.error!.message).toContain(`${broken}:2: not valid JSON`)
    const wrongType = path.join(tmp, 'wrong.ndjson')
    await writeFile(
      wrongType,
      `${JSON.stringify({event_id: 'evt-wrong-0001', type: 'purchase', user_id: 'u1', ts: '2026-11-24T20:00:00Z'})}\n`,
    )
    const invalid = await replayCli([
      '--source',
      wrongType,
      '--target',
      'gateway',
      '--gateway',
      gateway,
      '--api-key',
      'k',
    ])
    expect(invalid.exitCode).toBe(2)
    expect(invalid.error!.message).toContain(`${wrongType}:1: type:`)
  })

  // Runs last: the replays above finished, and one failed (the tampered --verify), after reading.
  it('leaves no consumer group behind, whether a replay finishes, fails or is stopped with Ctrl-C', async () => {
    await createTopics(kafka, [
      {topic: 'paced', numPartitions: 1},
      {topic: 'paced-copy', numPartitions: 1},
    ])
    // Three records a minute apart, replayed at their original pace: Ctrl-C comes while the second is a minute away.
    const now = Date.now()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'paced',
      acks: -1,
      messages: [3, 2, 1].map((minutes) => ({
        key: 'k',
        value: `{"minutes":${minutes}}`,
        timestamp: String(now - minutes * 60_000),
      })),
    })
    await producer.disconnect()
    const admin = kafka.admin()
    await admin.connect()
    cleanups.push(() => admin.disconnect())
    const replay = execa(
      process.execPath,
      [
        BIN,
        'replay',
        '--topic',
        'paced',
        '--target',
        'topic:paced-copy',
        '--speed',
        '1x',
        '--brokers',
        broker.bootstrap,
        '--json',
      ],
      {cwd: ROOT, env: {CI: '1'}, reject: false, timeout: 60_000},
    )
    await eventually(
      async () => ((await admin.fetchTopicOffsets('paced-copy'))[0]!.high === '1' ? true : undefined),
      30_000,
      'the first record to be copied',
    )
    replay.kill('SIGINT')
    const interrupted = await replay
    expect(interrupted.exitCode, interrupted.stderr).toBe(1)
    expect(JSON.parse(String(interrupted.stdout))).toMatchObject({
      error: {code: 'REPLAY_INTERRUPTED', message: 'replay interrupted (Ctrl-C)'},
    })
    expect((await admin.fetchTopicOffsets('paced-copy'))[0]!.high).toBe('1')
    expect(
      (await admin.listGroups()).groups
        .map((group) => group.groupId)
        .filter((group) => group.startsWith('streamctl-replay-')),
    ).toEqual([])
  })
})
