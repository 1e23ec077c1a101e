// The runs bench:load compares, each a process started as a user starts it: the built CLI
// (`streamctl bench PROFILE --target URL --json --out DIR`), autocannon's CLI and wrk, against a
// load-servers.js server in its own process. A run's CPU is its whole process's user + system time
// (/usr/bin/time, else bash's `times`), startup included; its requests are counted by the server.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const CLI = path.join(root, 'bin/run.js')
const AUTOCANNON = path.join(root, 'node_modules/autocannon/autocannon.js')
const TIME = '/usr/bin/time'
// wrk prints p50/p75/p90/p99 only; its Lua done() hook reads any percentile (µs) from the same histogram.
const WRK_PERCENTILES = `done = function(summary, latency, requests)
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("percentile %g %d\\n", p, latency:percentile(p)))
  end
end
`

let scratch
function scratchDir() {
  if (!scratch) {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-load-'))
    process.on('exit', () => rmSync(scratch, {recursive: true, force: true}))
  }
  return scratch
}

/** Runs `npm run build` when dist/ is missing or older than a file under src/. */
export function ensureBuilt() {
  const manifest = path.join(root, 'oclif.manifest.json')
  const builtAt =
    existsSync(manifest) && existsSync(path.join(root, 'dist/cli/main.js')) ? statSync(manifest).mtimeMs : 0
  const src = path.join(root, 'src')
  const newest = Math.max(...readdirSync(src, {recursive: true}).map((file) => statSync(path.join(src, file)).mtimeMs))
  if (newest <= builtAt) return
  console.log('dist/ is missing or older than src/: npm run build\n')
  const build = spawnSync('npm', ['run', 'build'], {cwd: root, stdio: ['ignore', 'ignore', 'inherit']})
  if (build.status !== 0) throw new Error(`npm run build exited ${build.status}`)
}

/**
 * A load-servers.js server in its own process: `count()` is the number of requests it has answered,
 * `held()` (stall servers) the quantiles of its answer times since the last call.
 */
export function startServer(...args) {
  const child = spawn(process.execPath, [path.join(here, 'load-servers.js'), ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const stop = () => child.kill()
  process.on('exit', stop)
  return new Promise((resolve) =>
    child.stdout.once('data', (data) => {
      const url = `http://127.0.0.1:${String(data).trim()}`
      const read = async (control) => (await fetch(`${url}${control}`)).text()
      resolve({
        url,
        count: async () => Number(await read('/__count')),
        held: async () => JSON.parse(await read('/__held')),
        stop,
      })
    }),
  )
}

/** `run()` (a synchronous tool run) with `requests`: how many requests the server answered meanwhile. */
export async function counted(server, run) {
  const before = await server.count()
  const result = run()
  return {...result, requests: (await server.count()) - before}
}

export function hasWrk() {
  return spawnSync('wrk', ['--version']).error === undefined
}

/** `command args` to completion, with its CPU seconds (user + system, children included) and wall seconds. */
function timed(command, args, {cwd = scratchDir(), env = {}, okStatus = [0]} = {}) {
  const cpuFile = path.join(scratchDir(), 'cpu.txt')
  const [program, argv] = existsSync(TIME)
    ? [TIME, ['-f', '%U %S', '-o', cpuFile, command, ...args]]
    : ['bash', ['-c', '"$@"; status=$?; times > "$CPU_FILE"; exit $status', 'bash', command, ...args]]
  const started = performance.now()
  const result = spawnSync(program, argv, {
    cwd,
    env: {...process.env, CPU_FILE: cpuFile, ...env},
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
  const wallSeconds = (performance.now() - started) / 1000
  if (!okStatus.includes(result.status))
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-2000)}`)
  const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1).split(/\s+/).map(seconds)
  return {stdout: result.stdout, status: result.status, cpuSeconds: user + system, wallSeconds}
}

/** `1.23` (/usr/bin/time) or `0m1.230s` (bash `times`) in seconds. */
function seconds(text) {
  const clock = /(\d+)m([\d.]+)s/.exec(text)
  return clock ? Number(clock[1]) * 60 + Number(clock[2]) : Number(text)
}

/**
 * The built CLI's `bench` on a profile written to a scratch directory, against `url` (without one,
 * the running stack's gateway): its --json output and --out directory.
 */
function streamctlBench(name, profile, url, extraArgs = [], okStatus = [0]) {
  const dir = mkdtempSync(path.join(scratchDir(), `${name}-`))
  const file = path.join(dir, `${name}.yaml`)
  writeFileSync(file, profile)
  const out = path.join(dir, 'runs')
  const target = url ? ['--target', url] : []
  const run = timed(process.execPath, [CLI, 'bench', file, ...target, '--json', '--out', out, ...extraArgs], {
    cwd: dir,
    env: {CI: '1'},
    okStatus,
  })
  return {...run, json: JSON.parse(run.stdout), out}
}

/**
 * One `streamctl bench` run of `profile` (YAML text, one request series named `get`), summarised from
 * the run record it wrote to --out.
 */
export function runStreamctl(name, profile, url) {
  const {cpuSeconds, wallSeconds, out} = streamctlBench(name, profile, url)
  const records = readdirSync(out).filter((file) => file.endsWith('.json'))
  if (records.length !== 1) throw new Error(`expected one run record in ${out}, found ${records.join(', ')}`)
  const record = JSON.parse(readFileSync(path.join(out, records[0]), 'utf8'))
  const variant = record.variants[0]
  const series = variant.totals.get
  return {
    cpuSeconds,
    wallSeconds,
    loadSeconds: (variant.durationMs + (record.warmup?.durationMs ?? 0)) / 1000,
    warmupRequests: record.warmup?.requests ?? 0,
    recorded: series.counts.succeeded,
    late: series.counts.late,
    latency: series.latency,
    sendLag: variant.sendLag,
  }
}

/** `streamctl bench PROFILE --find-capacity` (on the running stack without `url`): the CapacityResult of its --json output. */
export function findCapacity(name, profile, url) {
  // Exit 99 is a search that found no capacity: a result to report, not a failure of the bench.
  const {json, cpuSeconds, wallSeconds} = streamctlBench(name, profile, url, ['--find-capacity'], [0, 99])
  return {...json.capacity, cpuSeconds, wallSeconds}
}

/** autocannon's CLI (`-R rate`: the overall rate of all connections together); latency in ms. */
export function runAutocannon(url, {connections, rate, seconds: duration}) {
  const args = ['-c', connections, '-d', duration, '-j', ...(rate ? ['-R', rate] : []), url].map(String)
  const run = timed(process.execPath, [AUTOCANNON, ...args])
  const {latency, errors, non2xx} = JSON.parse(run.stdout)
  return {
    cpuSeconds: run.cpuSeconds,
    wallSeconds: run.wallSeconds,
    loadSeconds: duration,
    errors: errors + non2xx,
    latency: {p50: latency.p50, p90: latency.p90, p99: latency.p99, p999: latency.p99_9},
  }
}

/** wrk with one thread (a closed loop of `connections`); latency in ms. */
export function runWrk(url, {connections, seconds: duration}) {
  const script = path.join(scratchDir(), 'percentiles.lua')
  writeFileSync(script, WRK_PERCENTILES)
  const run = timed('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '-s', script, url])
  const percentile = (p) => Number(new RegExp(`^percentile ${p} (\\d+)$`, 'm').exec(run.stdout)?.[1]) / 1000
  return {
    cpuSeconds: run.cpuSeconds,
    wallSeconds: run.wallSeconds,
    loadSeconds: duration,
    latency: {p50: percentile(50), p90: percentile(90), p99: percentile(99), p999: percentile(99.9)},
  }
}
