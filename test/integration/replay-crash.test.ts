// PRODUCT.md §7 for replay: `kill -9` of `streamctl replay --target projector` at random points
// during the rebuild, then running it again, ends with the read models (checksums) of a replay that
// was never interrupted. Kills are paced by the rebuild's committed progress, not by the clock.
import {execa} from 'execa'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type {Kafka} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {seededRandom} from '../../src/lib/random/seeded.js'
import {openKafka} from '../../src/services/runtime/connections.js'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {BIN, ROOT, runCli} from '../helpers/cli.js'
import {createTopics, replayCli, replayDatabase} from '../helpers/replay.js'
import {printFigure, scaled} from '../helpers/trials.js'

const TRIALS = scaled(3)
const EVENTS = 12_000

describe('replay under SIGKILL', {timeout: 400_000}, () => {
  let broker: BrokerProcess
  let kafka: Kafka
  let tmp: string
  let database: Awaited<ReturnType<typeof replayDatabase>>

  beforeAll(async () => {
    ;[broker, database] = await Promise.all([startBrokerProcess(), replayDatabase('sctl_replay_crash')])
    kafka = await openKafka(broker.brokers, 'replay-crash-test')
    tmp = await mkdtemp(path.join(os.tmpdir(), 'streamctl-replay-crash-'))
    // The recording's events are from 2026-11-24 and keep their times: the topic keeps them for good.
    await createTopics(kafka, [{topic: 'user-events', numPartitions: 3, keep: true}])
    const file = path.join(tmp, 'day.ndjson')
    const generated = await runCli([
      'fixtures',
      'generate',
      '--events',
      String(EVENTS),
      '--users',
      '2000',
      '--content',
      '50',
      '--seed',
      '3',
      '--out',
      file,
    ])
    expect(generated.exitCode, generated.stderr).toBe(0)
    const load = await replayCli([
      '--source',
      file,
      '--target',
      'topic:user-events',
      '--speed',
      'max',
      '--brokers',
      broker.bootstrap,
    ])
    expect(load.exitCode, load.stdout).toBe(0)
  })
  afterAll(async () => {
    await broker?.cleanup()
    await database?.drop()
    if (tmp) await rm(tmp, {recursive: true, force: true})
  })

  it('ends with the checksums of an uninterrupted replay, wherever it is killed', async () => {
    const flags = [
      '--from',
      'beginning',
      '--target',
      'projector',
      '--brokers',
      broker.bootstrap,
      '--database-url',
      database.url,
    ]
    const clean = await replayCli(flags)
    expect(clean.exitCode, clean.stdout).toBe(0)
    expect(clean.summary!.events).toBe(EVENTS)
    const folded = async () => {
      // The shadow exists only while a rebuild is unfinished (created, then dropped by the swap).
      const rows = await database.pool
        .query<{n: number | null}>('SELECT sum(next_offset)::int AS n FROM streamctl_replay.projector_offsets')
        .catch(() => undefined) // the schema may not exist yet: no offsets stored
      return rows?.rows[0]?.n ?? 0
    }
    const random = seededRandom(11)
    let interrupted = 0
    for (let trial = 0; trial < TRIALS; trial++) {
      const child = execa(process.execPath, [BIN, 'replay', ...flags, '--json'], {
        cwd: ROOT,
        reject: false,
        stdin: 'ignore',
        env: {CI: '1'},
      })
      // Kill once a random share (5–80%) of the events is committed: paced by progress, so a fast
      // machine that folds all 12,000 in half a second is still caught mid-rebuild.
      const target = Math.ceil(EVENTS * (0.05 + random() * 0.75))
      const deadline = Date.now() + 60_000
      while ((await folded()) < target && child.exitCode === null && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 2))
      child.kill('SIGKILL')
      await child
      const leftBehind = await folded()
      if (leftBehind > 0 && leftBehind < EVENTS) interrupted++
      const resumed = await replayCli(flags)
      expect(resumed.exitCode, resumed.stdout).toBe(0)
      expect(resumed.summary!.checksums, `trial ${trial}`).toEqual(clean.summary!.checksums)
      if (leftBehind > 0) expect(resumed.summary!.resumedAfter).toBe(leftBehind)
    }
    // At least one kill landed mid-rebuild (the others may have hit during setup or the swap).
    printFigure('replay-kill9', {trials: TRIALS, failures: 0, interruptedMidRebuild: interrupted, events: EVENTS})
    expect(interrupted).toBeGreaterThan(0)
  })
})
