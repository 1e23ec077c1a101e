// npm run bench:load — the load engine against its peers, in one run, on the same trivial
// keep-alive server (each tool and the server in their own processes):
//   1. CPU seconds per 100k requests, closed loop with 100 connections: streamctl, autocannon, wrk;
//   2. the highest open-model rate one streamctl process sustains (achieved ≥ 98% of offered and
//      send lag p99 < 50 ms), after 2 s of unmeasured warm-up at the same rate;
//   3. send-time jitter (actual send − intended start) p99 at 5k req/s;
//   4. a server that stalls S of every P ms: reported p50/p90/p99 against the analytic truth, for
//      streamctl (open model), autocannon and wrk (closed loops).
// Targets (PRODUCT.md §6): CPU per request ≤ autocannon's; ≥ 20k req/s from one core; jitter
// p99 < 1 ms at 5k req/s; stall percentiles within 5% of the truth.
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {loadWorker, printTable, writeResult} from './harness.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const fmt = (value, digits = 2) => (value === undefined || Number.isNaN(value) ? '-' : Number(value).toFixed(digits))

function startServer(...args) {
  const child = spawn(process.execPath, [path.join(here, 'load-servers.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve) =>
    child.stdout.once('data', (data) =>
      resolve({url: `http://127.0.0.1:${String(data).trim()}`, stop: () => child.kill()}),
    ),
  )
}

function hasWrk() {
  return spawnSync('wrk', ['--version']).error === undefined
}

/** wrk under bash's `times`, for the CPU its process used. */
function runWrk(url, connections, durationSeconds) {
  const script = `wrk -t1 -c${connections} -d${durationSeconds}s --latency ${url} ; times`
  const out = execFileSync('bash', ['-c', script], {encoding: 'utf8'})
  const requests = Number(/(\d+) requests in/.exec(out)?.[1])
  const lines = out.trim().split('\n')
  const children = lines.at(-1).split(/\s+/).map(parseClock)
  const pct = (label) => toMs(new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out))
  return {requests, cpuSeconds: children[0] + children[1], latency: {p50: pct('50'), p90: pct('90'), p99: pct('99')}}
}

function parseClock(text) {
  const match = /(\d+)m([\d.]+)s/.exec(text)
  return match ? Number(match[1]) * 60 + Number(match[2]) : 0
}

function toMs(match) {
  if (!match) return Number.NaN
  const value = Number(match[1])
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value
}

const results = {seconds}
const wrk = hasWrk()
if (!wrk) console.log('wrk not found (apt-get install -y wrk): its columns are skipped\n')

// 1. CPU per request, closed loop, 100 connections.
{
  const server = await startServer('trivial')
  const durationMs = seconds * 1000
  const rows = []
  const streamctl = loadWorker({tool: 'streamctl', url: server.url, model: 'closed', connections: 100, durationMs})
  const cannon = loadWorker({tool: 'autocannon', url: server.url, connections: 100, durationMs})
  const per100k = (run) => (run.cpuSeconds / run.requests) * 100_000
  rows.push([
    'streamctl (closed, 100 VUs)',
    streamctl.requests,
    fmt(streamctl.requests / streamctl.seconds, 0),
    fmt(streamctl.cpuSeconds),
    fmt(per100k(streamctl)),
    fmt(per100k(streamctl) / per100k(cannon)),
  ])
  rows.push([
    'autocannon (-c 100)',
    cannon.requests,
    fmt(cannon.requests / cannon.seconds, 0),
    fmt(cannon.cpuSeconds),
    fmt(per100k(cannon)),
    '1.00',
  ])
  let wrkRun
  if (wrk) {
    wrkRun = runWrk(server.url, 100, seconds)
    rows.push([
      'wrk (-t1 -c100)',
      wrkRun.requests,
      fmt(wrkRun.requests / seconds, 0),
      fmt(wrkRun.cpuSeconds),
      fmt(per100k(wrkRun)),
      fmt(per100k(wrkRun) / per100k(cannon)),
    ])
  }
  // The same, at one fixed rate both can hold, so batching at different throughputs does not skew
  // the comparison: streamctl's open model against autocannon's rate limit.
  const fixedRate = Number(process.env.BENCH_FIXED_RATE ?? 2000)
  const streamctlFixed = loadWorker({
    tool: 'streamctl',
    url: server.url,
    model: 'open',
    rate: fixedRate,
    connections: 100,
    durationMs,
    warmupMs: 2000,
  })
  const streamctlTimers = loadWorker({
    tool: 'streamctl',
    url: server.url,
    model: 'open',
    rate: fixedRate,
    connections: 100,
    durationMs,
    spinMs: 0,
    warmupMs: 2000,
  })
  const cannonFixed = loadWorker({tool: 'autocannon', url: server.url, connections: 100, rate: fixedRate, durationMs})
  rows.push([
    `streamctl (open, ${fixedRate}/s, spin)`,
    streamctlFixed.requests,
    fmt(streamctlFixed.requests / streamctlFixed.seconds, 0),
    fmt(streamctlFixed.cpuSeconds),
    fmt(per100k(streamctlFixed)),
    fmt(per100k(streamctlFixed) / per100k(cannonFixed)),
  ])
  rows.push([
    `streamctl (open, ${fixedRate}/s, timers)`,
    streamctlTimers.requests,
    fmt(streamctlTimers.requests / streamctlTimers.seconds, 0),
    fmt(streamctlTimers.cpuSeconds),
    fmt(per100k(streamctlTimers)),
    fmt(per100k(streamctlTimers) / per100k(cannonFixed)),
  ])
  rows.push([
    `autocannon (-c 100 -R ${fixedRate})`,
    cannonFixed.requests,
    fmt(cannonFixed.requests / cannonFixed.seconds, 0),
    fmt(cannonFixed.cpuSeconds),
    fmt(per100k(cannonFixed)),
    '1.00',
  ])
  server.stop()
  console.log(
    `1. CPU per request against a trivial keep-alive server (${seconds} s each; ratios against autocannon in the same mode)\n`,
  )
  printTable(['tool', 'requests', 'req/s', 'CPU s', 'CPU s / 100k req', 'x autocannon'], rows)
  results.cpu = {
    streamctl,
    autocannon: cannon,
    wrk: wrkRun,
    ratioVsAutocannon: per100k(streamctl) / per100k(cannon),
    fixedRate,
    streamctlFixed,
    autocannonFixed: cannonFixed,
    fixedRatioVsAutocannon: per100k(streamctlFixed) / per100k(cannonFixed),
    streamctlTimers,
    fixedTimersRatioVsAutocannon: per100k(streamctlTimers) / per100k(cannonFixed),
    jitterTimersP99: streamctlTimers.sendLag.p99,
  }
}

// 2. Highest sustained open-model rate, and 3. jitter at 5k req/s.
{
  const server = await startServer('trivial')
  const rows = []
  let best = 0
  for (const rate of [5000, 10_000, 15_000, 20_000, 25_000, 30_000]) {
    const run = loadWorker({
      tool: 'streamctl',
      url: server.url,
      model: 'open',
      rate,
      durationMs: seconds * 1000,
      connections: 512,
      warmupMs: 2000,
    })
    const achieved = run.requests / seconds
    const sustained = achieved >= rate * 0.98 && run.sendLag.p99 < 50
    if (sustained) best = rate
    rows.push([
      rate,
      fmt(achieved, 0),
      fmt(run.cpuSeconds / run.seconds),
      fmt(run.sendLag.p50, 3),
      fmt(run.sendLag.p99, 3),
      fmt(run.latency.p99, 2),
      sustained ? 'yes' : 'no',
    ])
    if (rate === 5000) results.jitterAt5k = run.sendLag
    if (!sustained) break
  }
  server.stop()
  console.log(`\n2-3. Open model from one process (one core): offered vs achieved, send lag (actual − intended)\n`)
  printTable(
    ['offered/s', 'achieved/s', 'CPU (cores)', 'send lag p50 ms', 'send lag p99 ms', 'latency p99 ms', 'sustained'],
    rows,
  )
  results.maxOpenRate = best
}

// 4. Stall test.
{
  const period = 2000
  const stall = 1600
  const rate = 200
  const truth = (q) => (q - (period - stall) / period) * period
  const server = await startServer('stall', String(period), String(stall))
  const durationMs = Math.max(3, Math.round(seconds / 2)) * period
  const rows = []
  const error = (observed, q) => `${fmt(((observed - truth(q)) / truth(q)) * 100, 1)}%`
  const row = (name, latency) => [
    name,
    fmt(latency.p50, 0),
    fmt(latency.p90, 0),
    fmt(latency.p99, 0),
    `${error(latency.p50, 0.5)} / ${error(latency.p90, 0.9)} / ${error(latency.p99, 0.99)}`,
  ]
  rows.push(['analytic truth', fmt(truth(0.5), 0), fmt(truth(0.9), 0), fmt(truth(0.99), 0), '-'])
  const open = loadWorker({
    tool: 'streamctl',
    url: server.url,
    model: 'open',
    rate,
    durationMs,
    connections: 1000,
    warmupMs: period,
  })
  rows.push(row(`streamctl (open, ${rate}/s)`, open.latency))
  rows.push(row('  its service time', open.service))
  const cannon = loadWorker({tool: 'autocannon', url: server.url, connections: 50, durationMs})
  rows.push(row('autocannon (-c 50)', cannon.latency))
  let wrkRun
  if (wrk) {
    wrkRun = runWrk(server.url, 50, durationMs / 1000)
    rows.push(row('wrk (-t1 -c50)', wrkRun.latency))
  }
  server.stop()
  console.log(
    `\n4. Server stalls ${stall} ms of every ${period} ms (${durationMs / 1000} s): latency percentiles in ms, error vs the truth\n`,
  )
  printTable(['tool', 'p50', 'p90', 'p99', 'error p50 / p90 / p99'], rows)
  results.stall = {
    period,
    stall,
    rate,
    truth: {p50: truth(0.5), p90: truth(0.9), p99: truth(0.99)},
    streamctl: open.latency,
    streamctlService: open.service,
    autocannon: cannon.latency,
    wrk: wrkRun?.latency,
  }
}

console.log(
  `\nstreamctl CPU per request = ${fmt(results.cpu.ratioVsAutocannon)}x autocannon's closed loop, ${fmt(results.cpu.fixedRatioVsAutocannon)}x at ${results.cpu.fixedRate}/s polling, ${fmt(results.cpu.fixedTimersRatioVsAutocannon)}x on timers (target <= 1); max open-model rate ${results.maxOpenRate}/s (target >= 20000); jitter p99 at 5k req/s ${fmt(results.jitterAt5k?.p99, 3)} ms (target < 1)`,
)
writeResult('load', results)
