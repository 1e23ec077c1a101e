// `report --compare` from the built CLI refuses apples-to-oranges: runs under the same conditions
// compare as before; a different duration and offered rate exit 2 naming both, unless --force, which
// compares and marks the result not like for like (terminal and --json).
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {ReportResult} from '../../src/commands/report/index.js'
import type {ErrorJson} from '../../src/lib/errors.js'
import type {RunRecord} from '../../src/lib/report/run-record.js'
import {runCli} from '../helpers/cli.js'
import {latencies, recordRun} from '../helpers/run-records.js'

let dir: string
let base: string
let same: string
let shorter: string

const write = async (name: string, run: RunRecord) => {
  const file = path.join(dir, name)
  await writeFile(file, JSON.stringify(run))
  return file
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-compare-'))
  base = await write(
    'peak-30s.json',
    recordRun({api: latencies(3000, 25, 31)}, {profile: 'peak', intervals: 30, offeredPerSecond: 80}),
  )
  same = await write(
    'peak-30s-again.json',
    recordRun({api: latencies(3000, 25, 41)}, {profile: 'peak', intervals: 30, offeredPerSecond: 80}),
  )
  // Half the duration at half the rate, and faster: what used to be called "an improvement".
  shorter = await write(
    'peak-15s.json',
    recordRun({api: latencies(1500, 15, 41)}, {profile: 'peak', intervals: 15, offeredPerSecond: 40}),
  )
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('report --compare like for like', () => {
  it('compares runs under the same conditions as before', async () => {
    const result = await runCli(['report', '--compare', base, same])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).not.toMatch(/like for like/i)
    expect(result.stdout.trim().split('\n').at(-1)).toBe('no significant change')
    const json = await runCli(['report', '--compare', base, same, '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'compare',
      verdict: 'no significant change',
      likeForLike: true,
      differences: [],
      forced: false,
    })
  })

  it('refuses runs with a different duration and offered rate: exit 2, both named, no stack trace', async () => {
    const result = await runCli(['report', '--compare', base, shorter])
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('[COMPARE_NOT_LIKE_FOR_LIKE]')
    expect(result.stderr).toContain('duration 30s → 15s; offered rate 80.0/s → 40.0/s')
    expect(result.stderr).toMatch(/pass --force to compare anyway/)
    expect(result.stderr).not.toMatch(/\n\s+at /)
    const json = await runCli(['report', '--compare', base, shorter, '--json'])
    expect(json.exitCode).toBe(2)
    const body = JSON.parse(json.stdout) as ErrorJson
    expect(body.error).toMatchObject({
      code: 'COMPARE_NOT_LIKE_FOR_LIKE',
      exitCode: 2,
      hint: expect.stringMatching(/--force/),
    })
    expect(body.error.message).toMatch(/duration 30s → 15s; offered rate 80\.0\/s → 40\.0\/s$/)
  })

  it('compares them with --force, marked not like for like first and last', async () => {
    const result = await runCli(['report', '--compare', base, shorter, '--force'])
    expect(result.exitCode, result.stderr).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toBe('NOT LIKE FOR LIKE (compared with --force): duration 30s → 15s; offered rate 80.0/s → 40.0/s')
    expect(lines.at(-1)).toBe(
      'improvement: significantly faster, no regression (not like for like: the runs offered different load)',
    )
    const json = await runCli(['report', '--compare', base, shorter, '--force', '--json'])
    expect(json.exitCode, json.stderr).toBe(0)
    const body = JSON.parse(json.stdout) as ReportResult
    expect(body).toMatchObject({
      kind: 'compare',
      verdict: 'improvement',
      likeForLike: false,
      forced: true,
      differences: [
        {field: 'durationMs', base: 30_000, next: 15_000, text: 'duration 30s → 15s'},
        {field: 'offeredRate', base: 80, next: 40, text: 'offered rate 80.0/s → 40.0/s'},
      ],
    })
  })

  it('still exits 99 on a regression compared with --force', async () => {
    const slower = await write(
      'peak-15s-slow.json',
      recordRun({api: latencies(1500, 50, 41)}, {profile: 'peak', intervals: 15, offeredPerSecond: 40}),
    )
    const result = await runCli(['report', '--compare', base, slower, '--force'])
    expect(result.exitCode).toBe(99)
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(
      /^REGRESSION: .*\(not like for like: the runs offered different load\)$/,
    )
  })

  it('rejects --force without --compare', async () => {
    const result = await runCli(['report', base, '--force'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/--compare/)
  })
})
