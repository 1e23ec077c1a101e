// `streamctl bench` as a user runs it: the built CLI against a local server, profile errors with
// their lines, the built-in profiles, the run data file, and the admin token for a foreign admin API.
import {cp, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {BenchResult} from '../../src/commands/bench.js'
import {readProfile} from '../../src/lib/load/profile-loader.js'
import type {LoadRunData} from '../../src/lib/measure/run-data.js'
import type {RunRecord} from '../../src/lib/report/run-record.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {startServer, type TestServer} from '../helpers/http-servers.js'

let dir: string
let server: TestServer
const hits: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-bench-'))
  server = await startServer((request, response) => {
    hits.push(`${request.method} ${request.url}`)
    request.resume()
    response.end('ok')
  })
})
afterAll(async () => {
  await server.close()
  await rm(dir, {recursive: true, force: true})
})

describe('streamctl bench --target', () => {
  it('runs a profile against any HTTP server and writes the run data', async () => {
    const profile = path.join(dir, 'home.yaml')
    await writeFile(
      profile,
      `duration: 10s
rate: 10
stages:
  - {name: warm, curve: ramp, from: 0, to: 1x, duration: 50%}
  - {name: hold, curve: constant, rate: 1x}
requests:
  - {name: home, method: GET, path: "/home?u={{user.id}}", weight: 3}
  - {name: search, method: POST, path: /search, body: {q: "{{pick a b c}}", page: "{{int 1 3}}"}}
`,
    )
    const out = path.join(dir, 'runs')
    const result = await runCli(
      ['bench', profile, '--target', server.url, '--duration', '2s', '--rate', '50', '--seed', '3', '--out', out],
      {env: {CI: '1'}},
    )
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/profile home · open model · seed 3/)
    expect(result.stdout).toMatch(/\n\s+home\s+\d+/)
    expect(result.stdout).toMatch(/run record written to .*\.json\nhtml report written to .*\.html/)
    const files = (await readdir(out)).filter((name) => name.endsWith('.json'))
    expect(files).toHaveLength(1)
    const run = JSON.parse(await readFile(path.join(out, files[0]!), 'utf8')) as LoadRunData
    const variant = run.variants[0]!
    // 1 s ramping 0→50 (25 requests) then 1 s at 50.
    const requests = variant.totals.home!.counts.requests + variant.totals.search!.counts.requests
    expect(requests).toBe(75)
    expect(hits.filter((hit) => hit.startsWith('POST /search')).length).toBe(variant.totals.search!.counts.requests)
    expect(Object.keys(variant.phases).sort()).toEqual(['hold', 'warm'])
    expect(variant.totals.home!.latencyHistogram).toMatch(/^[A-Za-z0-9+/=]+$/)
    expect(run).toMatchObject({loadDataVersion: 1, profile: 'home', seed: 3, model: 'open', target: server.url})
  })

  it('returns the run as its --json result, with the same seed giving the same requests', async () => {
    const profile = path.join(dir, 'seeded.yaml')
    await writeFile(
      profile,
      `duration: 1s\nrate: 30\nrequests:\n  - {name: item, method: GET, path: "/item/{{content.id}}/{{id}}"}\n`,
    )
    const paths = async () => {
      hits.length = 0
      const result = await runCli([
        'bench',
        profile,
        '--target',
        server.url,
        '--seed',
        '11',
        '--out',
        path.join(dir, 'json-runs'),
        '--json',
      ])
      expect(result.exitCode).toBe(0)
      const body = JSON.parse(result.stdout) as BenchResult
      expect(body.run.variants[0]!.totals.item!.counts.requests).toBe(30)
      expect(body.file).toMatch(/seeded-.*\.json$/)
      return [...hits].sort()
    }
    expect(await paths()).toEqual(await paths())
  })

  it('sends a warm-up at the starting rate before the run and leaves it out of the figures', async () => {
    const profile = path.join(dir, 'warm.yaml')
    // The profile asks for 0.5 s of warm-up; --warmup replaces it with 1 s.
    await writeFile(
      profile,
      `duration: 1s\nwarmup: 500ms\nrate: 30\nrequests:\n  - {name: item, method: GET, path: "/warm/{{id}}"}\n`,
    )
    const run = async (args: string[]) => {
      hits.length = 0
      const result = await runCli(
        ['bench', profile, '--target', server.url, '--seed', '5', '--out', path.join(dir, 'warm-runs'), ...args],
        {env: {CI: '1'}},
      )
      expect(result.exitCode, result.stderr).toBe(0)
      const file = /run record written to (.*\.json)/.exec(result.stdout)![1]!
      return {
        stdout: result.stdout,
        record: JSON.parse(await readFile(path.resolve(ROOT, file), 'utf8')) as RunRecord,
        hits: hits.length,
      }
    }
    const warmed = await run(['--warmup', '1s'])
    expect(warmed.stdout).toMatch(/warm-up: 30 requests in \d+\.\d s at 30 req\/s, not recorded/)
    expect(warmed.record.warmup).toMatchObject({requests: 30, rate: 30})
    // The server saw both; the run's figures count only the run's 30.
    expect(warmed.record.variants[0]!.totals.item!.counts.requests).toBe(30)
    expect(warmed.hits).toBe(60)

    const fromProfile = await run([])
    expect(fromProfile.record.warmup).toMatchObject({requests: 15, rate: 30})
    expect(fromProfile.hits).toBe(45)

    const none = await run(['--warmup', '0s'])
    expect(none.record.warmup).toBeUndefined()
    expect(none.stdout).not.toMatch(/warm-up/)
    expect(none.hits).toBe(30)
  })

  it('runs one shard of the schedule', async () => {
    const profile = path.join(dir, 'shard.yaml')
    await writeFile(profile, `duration: 1s\nrate: 90\nrequests:\n  - {name: s, method: GET, path: /s}\n`)
    const result = await runCli([
      'bench',
      profile,
      '--target',
      server.url,
      '--shard',
      '2/3',
      '--out',
      path.join(dir, 'shards'),
      '--json',
    ])
    expect(result.exitCode).toBe(0)
    const body = JSON.parse(result.stdout) as BenchResult
    expect(body.run.shard).toEqual({index: 1, count: 3})
    expect(body.run.variants[0]!.totals.s!.counts.requests).toBe(30)
    expect(body.file).toMatch(/-shard-2-of-3\.json$/)
  })

  // Their loading and compiling were most of the CPU a short run cost (scripts/build/precompile-schemas.js).
  it("loads neither undici nor ajv's compiler for a profile with no admin API or metrics, on the reference stack", async () => {
    const profile = path.join(dir, 'plain.yaml')
    await writeFile(profile, `duration: 1s\nrate: 10\nrequests:\n  - {name: p, method: GET, path: /p}\n`)
    const trace = path.join(dir, 'plain-modules.txt')
    const result = await runCli(['bench', profile, '--target', server.url, '--out', path.join(dir, 'plain')], {
      nodeArgs: ['--import', path.join(ROOT, 'test/helpers/trace-imports.mjs')],
      env: {TRACE_IMPORTS_FILE: trace},
    })
    expect(result.exitCode).toBe(0)
    const loaded = await readFile(trace, 'utf8')
    expect(loaded).toContain('/dist/lib/bench/run.js')
    expect(loaded).not.toMatch(/\/node_modules\/undici\//)
    expect(loaded).not.toMatch(/\/node_modules\/ajv\/dist\/core\.js/)
  })
})

describe('bench --target with a profile naming an admin: URL', () => {
  it('sends it STREAMCTL_ADMIN_TOKEN, and exits 1 before any load when it is refused', async () => {
    const adminCalls: string[] = []
    const admin = await startServer((request, response) => {
      adminCalls.push(`${request.method} ${request.url} ${request.headers.authorization ?? '-'}`)
      request.resume()
      const allowed = request.headers.authorization === 'Bearer foreign-token'
      response.writeHead(allowed ? 200 : 401, {'content-type': 'application/json'})
      response.end(
        JSON.stringify(
          allowed
            ? {}
            : {error: {code: 'unauthorized', message: 'the admin API needs Authorization: Bearer <ADMIN_TOKEN>'}},
        ),
      )
    })
    try {
      const profile = path.join(dir, 'foreign-admin.yaml')
      await writeFile(
        profile,
        `duration: 1s\nrate: 20\nadmin: ${admin.url}\nrequests:\n  - {name: item, method: GET, path: /item}\ntimeline:\n  - {at: 50%, action: cache-flush}\n`,
      )
      const env = {CI: '1', STREAMCTL_STATE_DIR: path.join(dir, 'no-stack-state')}
      const out = path.join(dir, 'admin-runs')
      const ok = await runCli(['bench', profile, '--target', server.url, '--out', out, '--json'], {
        env: {...env, STREAMCTL_ADMIN_TOKEN: 'foreign-token'},
      })
      expect(ok.exitCode, ok.stderr).toBe(0)
      expect(
        (JSON.parse(ok.stdout) as BenchResult).run.variants[0]!.timeline.map((event) => [event.action, event.ok]),
      ).toEqual([['cache-flush', true]])
      expect(adminCalls).toContain(`POST /admin/actions/cache-flush Bearer foreign-token`)
      expect(adminCalls.every((call) => call.endsWith(' Bearer foreign-token'))).toBe(true)

      hits.length = 0
      adminCalls.length = 0
      const refused = await runCli(['bench', profile, '--target', server.url, '--out', out], {
        env: {...env, STREAMCTL_ADMIN_TOKEN: ''},
      })
      expect(refused.exitCode).toBe(1)
      expect(refused.stderr).toContain(
        `Error [ADMIN_UNAUTHORIZED]: the admin API at ${admin.url} refused no token (STREAMCTL_ADMIN_TOKEN is not set): HTTP 401: the admin API needs Authorization: Bearer <ADMIN_TOKEN>`,
      )
      expect(refused.stderr).toContain('set STREAMCTL_ADMIN_TOKEN')
      expect(hits).toEqual([])
      expect(adminCalls).toEqual(['GET /admin/switches -'])
    } finally {
      await admin.close()
    }
  })
})

describe('profile errors', () => {
  it('reports every problem as file:line:col and exits 2', async () => {
    const profile = path.join(dir, 'broken.yaml')
    await writeFile(
      profile,
      [
        'duration: 10s', // 1
        'rate: 100', // 2
        'stages:', // 3
        '  - curve: ramp', // 4
        '    from: 0', // 5
        '    to: lots', // 6
        'requests:', // 7
        '  - name: home', // 8
        '    method: GET', // 9
        '    path: /x/{{user.nmae}}', // 10
        '    wieght: 2', // 11
        'retry: {policy: exponential, delay: soon}', // 12
        'timeline:', // 13
        '  - at: 5s', // 14
      ].join('\n'),
    )
    const result = await runCli(['bench', profile, '--target', server.url])
    expect(result.exitCode).toBe(2)
    const shown = profile
    expect(result.stderr).toContain(`Error [PROFILE_INVALID]: ${shown} has`)
    expect(result.stderr).toContain(
      `${shown}:6:9: stages[0].to: expected requests per second (e.g. 200) or a multiple of the base rate (e.g. 3x), got "lots"`,
    )
    expect(result.stderr).toContain(`${shown}:10:11: requests[0].path: unknown placeholder {{user.nmae}}`)
    expect(result.stderr).toContain(`${shown}:11:5: requests[0]: unknown field "wieght" (did you mean "weight"?)`)
    expect(result.stderr).toContain(
      `${shown}:12:37: retry.delay: expected a duration such as 500ms, 30s or 5m, got "soon"`,
    )
    expect(result.stderr).not.toMatch(/\n\s+at .*\.js:\d+/)
    const json = await runCli(['bench', profile, '--json'])
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: {
        code: 'PROFILE_INVALID',
        details: {problems: expect.arrayContaining([expect.objectContaining({line: 6, col: 9})])},
      },
    })
  })

  it("validate checks the stack's profiles too", async () => {
    const stackDir = path.join(dir, 'stack')
    await cp(path.join(ROOT, 'stacks/reference'), stackDir, {recursive: true})
    const good = await runCli(['validate', '--stack', stackDir])
    expect(good.exitCode).toBe(0)
    expect(good.stdout).toContain(
      '8 load profiles: cache-storm, llm-ratelimit, peak, peak-prioritisation, retry-storm, soak, spike, steady',
    )
    await writeFile(
      path.join(stackDir, 'profiles', 'mine.yaml'),
      'rate: 10\nduration: 10s\nrequests:\n  - use: recomendations\n',
    )
    const bad = await runCli(['validate', '--stack', stackDir])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/Error \[PROFILE_INVALID\]: the profiles in .*profiles has 1 problem:/)
    expect(bad.stderr).toMatch(
      /profiles\/mine\.yaml:4:10: requests\[0\]\.use: must be one of "generate", "events", "recommendations", "metadata", got "recomendations"/,
    )
  })

  it("reads a profile's calibration from the calibrations directory, and names the file and line of a bad one", async () => {
    const stackDir = path.join(dir, 'calibrated')
    await cp(path.join(ROOT, 'stacks/reference'), stackDir, {recursive: true})
    const profile = await readProfile(path.join(stackDir, 'profiles', 'cache-storm.yaml'))
    expect(profile.calibration).toMatchObject({
      name: 'streamflow',
      costs: {
        vectorSearchMs: 150,
        vectorSearchMaxMs: 1000,
        profileQueryMinMs: 50,
        profileQueryMaxMs: 500,
        llmRpmLimit: 500,
      },
    })
    const calibration = path.join(stackDir, 'calibrations', 'streamflow.yaml')
    const text = await readFile(calibration, 'utf8')
    await writeFile(
      calibration,
      text.replace('rankingMs: 400', 'rankingMs: slow').replace('llmRpmLimit: 500', 'llmRpmLimit: 500\n  llmRpm: 9'),
    )
    const bad = await runCli(['validate', '--stack', stackDir])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(
      /calibrations\/streamflow\.yaml:\d+:\d+: costs\.rankingMs: expected a number, got "slow"/,
    )
    expect(bad.stderr).toMatch(/calibrations\/streamflow\.yaml:\d+:\d+: costs: unknown field "llmRpm"/)
    await writeFile(
      path.join(stackDir, 'profiles', 'cache-storm.yaml'),
      (await readFile(path.join(stackDir, 'profiles', 'cache-storm.yaml'), 'utf8')).replace(
        'calibration: streamflow',
        'calibration: streamflo',
      ),
    )
    const missing = await runCli(['bench', path.join(stackDir, 'profiles', 'cache-storm.yaml'), '--target', server.url])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(
      /cache-storm\.yaml:\d+:\d+: calibration: no calibration "streamflo": .*calibrations\/streamflo\.yaml does not exist/,
    )
  })

  it('names the profiles there are when one is not found', async () => {
    const result = await runCli(['bench', 'peek'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Error [PROFILE_NOT_FOUND]: no profile "peek"')
    expect(result.stderr).toMatch(
      /Profiles there: cache-storm, llm-ratelimit, peak, peak-prioritisation, retry-storm, soak, spike, steady/,
    )
  })

  it('rejects a bad flag value naming the flag', async () => {
    const result = await runCli(['bench', 'steady', '--shard', '4/3'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('--shard 4/3: expected i/N with 1 <= i <= N')
    const variant = await runCli(['bench', 'retry-storm', '--target', server.url, '--variant', 'naïve'])
    expect(variant.exitCode).toBe(2)
    expect(variant.stderr).toContain('--variant naïve: profile "retry-storm" has no such variant')
    expect(variant.stderr).toContain('Its variants: naive, resilient.')
  })

  it('exits 3 when the stack is not up and no target is given', async () => {
    const result = await runCli(['bench', 'steady'], {env: {STREAMCTL_STATE_DIR: dir}})
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('Error [STACK_NOT_READY]')
  })
})

describe('built-in profiles', () => {
  it('every profile in stacks/reference/profiles is valid', async () => {
    const profilesDir = path.join(ROOT, 'stacks/reference/profiles')
    const names = (await readdir(profilesDir)).filter((name) => name.endsWith('.yaml')).sort()
    expect(names).toEqual([
      'cache-storm.yaml',
      'llm-ratelimit.yaml',
      'peak-prioritisation.yaml',
      'peak.yaml',
      'retry-storm.yaml',
      'soak.yaml',
      'spike.yaml',
      'steady.yaml',
    ])
    for (const name of names) {
      const profile = await readProfile(path.join(profilesDir, name))
      expect(profile.requests.length, name).toBeGreaterThan(0)
    }
    const retryStorm = await readProfile(path.join(profilesDir, 'retry-storm.yaml'))
    expect(retryStorm.variants.map((variant) => variant.name)).toEqual(['naive', 'resilient'])
  })
})
