// npm run bench:load — what users run: the built CLI (`streamctl bench PROFILE --target URL`, the
// profile's defaults for everything not named) against a real node:http server, beside autocannon's
// CLI and wrk against the same server in the same run. Every tool and every server is its own
// process; a tool's CPU is its whole process's user + system time, startup included (as
// /usr/bin/time shows it), and its requests are the ones the server counted answering it.
//   1. closed loop, 10 connections: CPU s per 100k requests of streamctl (`model: closed, vus: 10`),
//      autocannon -c 10 and wrk -t1 -c10. Targets: streamctl/autocannon <= 1.0; moonshot
//      streamctl/wrk <= 1.2;
//   2. a fixed 5,000 req/s, default settings: streamctl (`rate: 5000`, open model) against
//      autocannon -c 100 -R 5000, CPU s per 100k requests (target streamctl/autocannon <= 1.0), and
//      streamctl's send lag from its run record;
//   3. the highest open-model rate (5k, 10k, … 30k, until one is not achieved) at which streamctl, with
//      default settings, achieves >= 98% of the offered rate (counted by the server) with send lag
//      p99 < 1 ms. Target >= 20,000 req/s;
//   4. a node:http server that stalls 1 s of every 5 s and then answers everything it held:
//      streamctl's open model at 2,000 req/s, autocannon -c 100 -R 2000 and wrk -t1 -c100,
//      p90/p99/p99.9 against the analytic truth. Target: streamctl within 5%;
//   5. rows 1 and 2 again as "library (load engine driven directly, not what users run)": the engine
//      and autocannon's API run in-process by load-worker.js, CPU of the measured run only, as the
//      figures before this script were measured (those against a trivial TCP server that did not
//      parse HTTP, with 100 connections and at 2,000 req/s);
//   6. `bench --find-capacity` three times (SLA p(99) < 50 ms, 3 s steps) on a node:http server that
//      answers at most BENCH_CAPACITY_RATE req/s (default 3300; queueing above it), so that the
//      capacity lies well below the generator's limit and does not move with the CPU the generator
//      leaves it: the three rates found and their spread (max − min) / min. Target <= 10%. Above
//      the server's rate its queue passes 50 ms within a step; below it, p99 stays clear of the
//      5–20 ms a busy shared machine adds to a plain node:http server's p99 at 1000 req/s.
// Environment: BENCH_SECONDS (each run of 1–3, default 10), BENCH_STALL_SECONDS (4, default 30,
// rounded up to whole stall periods), BENCH_CAPACITY=0 skips 6, BENCH_CAPACITY_RATE and
// BENCH_CAPACITY_STEP_SECONDS (default 3) set its server's rate and its steps' length.
// Builds the CLI first (npm run build) when dist/ is missing or older than src/. wrk's rows are
// skipped when it is not installed (apt-get install -y wrk).
import {loadWorker, printTable, writeResult} from './harness.js'
import {
  counted,
  ensureBuilt,
  findCapacity,
  hasWrk,
  runAutocannon,
  runStreamctl,
  runWrk,
  startServer,
} from './load-runners.js'

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const durationMs = seconds * 1000
const fmt = (value, digits = 2) =>
  value === undefined || value === null || Number.isNaN(Number(value)) ? '-' : Number(value).toFixed(digits)
const yesNo = (met) => (met ? 'yes' : 'no')
const per100k = (run) => (run.cpuSeconds / run.requests) * 100_000
const GET = 'requests:\n  - {name: get, method: GET, path: /}\n'
/** An open-model profile with the defaults users get, and a warm-up as theirs have. */
const openProfile = (rate, runSeconds = seconds, warmup = '2s') =>
  `rate: ${rate}\nduration: ${runSeconds}s\nwarmup: ${warmup}\n${GET}`
const LIBRARY = 'library (load engine driven directly, not what users run)'

/** Warns when the server's count and streamctl's run record (warm-up included) disagree by over 1%. */
function checkCount(name, run) {
  const recorded = run.recorded + run.warmupRequests
  if (Math.abs(run.requests - recorded) > run.requests * 0.01)
    console.log(`warning: ${name}: the server answered ${run.requests} requests, the run record has ${recorded}`)
  return run
}

ensureBuilt()
const wrk = hasWrk()
if (!wrk) console.log('wrk not found (apt-get install -y wrk): its rows are skipped\n')
const results = {seconds}
/** Every target the summary judges: {name, value, threshold, met, moonshot?}. */
const targets = []
const cpuRow = (name, run, peer) => [
  name,
  run.requests,
  fmt(run.requests / run.loadSeconds, 0),
  fmt(run.cpuSeconds),
  fmt(per100k(run)),
  peer ? fmt(per100k(run) / per100k(peer)) : '-',
]
const CPU_HEADERS = ['run', 'requests', 'req/s under load', 'CPU s', 'CPU s / 100k req', 'x autocannon']

/** Library rows: the engine and autocannon's API in-process (load-worker.js), CPU of the measured run only. */
function libraryRows(streamctlOptions, autocannonOptions) {
  const streamctl = loadWorker({tool: 'streamctl', ...streamctlOptions})
  const autocannon = loadWorker({tool: 'autocannon', ...autocannonOptions})
  const asRun = (run) => ({...run, loadSeconds: run.seconds})
  return {
    streamctl: asRun(streamctl),
    autocannon: asRun(autocannon),
    ratioVsAutocannon: per100k(streamctl) / per100k(autocannon),
  }
}

const server = await startServer('http')

// 1. Closed loop, 10 connections.
{
  const connections = 10
  const streamctl = checkCount(
    'closed loop',
    await counted(server, () =>
      runStreamctl('closed', `model: closed\nvus: ${connections}\nduration: ${seconds}s\n${GET}`, server.url),
    ),
  )
  const autocannon = await counted(server, () => runAutocannon(server.url, {connections, seconds}))
  const wrkRun = wrk ? await counted(server, () => runWrk(server.url, {connections, seconds})) : undefined
  const library = libraryRows(
    {url: server.url, model: 'closed', connections, durationMs},
    {url: server.url, connections, durationMs},
  )
  const rows = [
    cpuRow(`streamctl CLI (model: closed, vus: ${connections})`, streamctl, autocannon),
    cpuRow(`autocannon -c ${connections}`, autocannon, autocannon),
  ]
  if (wrkRun) rows.push(cpuRow(`wrk -t1 -c${connections}`, wrkRun, autocannon))
  rows.push(
    cpuRow(`${LIBRARY}: engine, closed, ${connections} VUs`, library.streamctl, library.autocannon),
    cpuRow(`${LIBRARY}: autocannon API -c ${connections}`, library.autocannon, library.autocannon),
  )
  console.log(`1. Closed loop, ${connections} connections, ${seconds} s each: CPU per request (node:http server)\n`)
  printTable(CPU_HEADERS, rows)
  const ratioVsAutocannon = per100k(streamctl) / per100k(autocannon)
  const ratioVsWrk = wrkRun ? per100k(streamctl) / per100k(wrkRun) : undefined
  console.log(`\nstreamctl / autocannon = ${fmt(ratioVsAutocannon)} (target <= 1.0: ${yesNo(ratioVsAutocannon <= 1)})`)
  console.log(`streamctl / wrk = ${fmt(ratioVsWrk)} (moonshot <= 1.2: ${yesNo(ratioVsWrk <= 1.2)})`)
  console.log(`${LIBRARY}: engine / autocannon API = ${fmt(library.ratioVsAutocannon)}`)
  targets.push(
    {
      name: '1. closed loop CPU/request, streamctl / autocannon',
      value: ratioVsAutocannon,
      threshold: '<= 1.0',
      met: ratioVsAutocannon <= 1,
    },
    {
      name: '1. closed loop CPU/request, streamctl / wrk',
      value: ratioVsWrk,
      threshold: '<= 1.2',
      met: ratioVsWrk !== undefined && ratioVsWrk <= 1.2,
      moonshot: true,
    },
  )
  results.closed = {connections, streamctl, autocannon, wrk: wrkRun, ratioVsAutocannon, ratioVsWrk, library}
}

// 2. A fixed 5,000 req/s, and 3. the highest rate sustained: both with the profile's defaults. The
// 5,000 req/s run of 2 is the first step of 3.
const openRun = async (rate) => {
  const run = checkCount(
    `${rate} req/s`,
    await counted(server, () => runStreamctl(`open-${rate}`, openProfile(rate), server.url)),
  )
  const achieved = (run.requests - run.warmupRequests) / seconds
  return {...run, rate, achieved, sustained: achieved >= rate * 0.98 && run.sendLag.p99 < 1}
}
const at5k = await openRun(5000)
{
  const rate = 5000
  const autocannon = await counted(server, () => runAutocannon(server.url, {connections: 100, rate, seconds}))
  const library = libraryRows(
    {url: server.url, model: 'open', rate, connections: 100, durationMs, warmupMs: 2000},
    {url: server.url, connections: 100, rate, durationMs},
  )
  console.log(`\n2. A fixed ${rate} req/s, default settings, ${seconds} s each: CPU per request\n`)
  printTable(CPU_HEADERS, [
    cpuRow(`streamctl CLI (open model, rate: ${rate}, warmup: 2s)`, at5k, autocannon),
    cpuRow(`autocannon -c 100 -R ${rate}`, autocannon, autocannon),
    cpuRow(`${LIBRARY}: engine, open, ${rate}/s, 100 connections`, library.streamctl, library.autocannon),
    cpuRow(`${LIBRARY}: autocannon API -c 100 -R ${rate}`, library.autocannon, library.autocannon),
  ])
  const ratioVsAutocannon = per100k(at5k) / per100k(autocannon)
  console.log(`\nstreamctl / autocannon = ${fmt(ratioVsAutocannon)} (target <= 1.0: ${yesNo(ratioVsAutocannon <= 1)})`)
  console.log(
    `streamctl send lag (actual send − intended start), from its run record: p50 ${fmt(at5k.sendLag.p50, 3)} ms, p99 ${fmt(at5k.sendLag.p99, 3)} ms, max ${fmt(at5k.sendLag.max, 3)} ms; ${at5k.late} late sends`,
  )
  console.log(`${LIBRARY}: engine / autocannon API = ${fmt(library.ratioVsAutocannon)}`)
  targets.push({
    name: `2. CPU/request at ${rate}/s, streamctl / autocannon`,
    value: ratioVsAutocannon,
    threshold: '<= 1.0',
    met: ratioVsAutocannon <= 1,
  })
  results.fixed = {rate, streamctl: at5k, autocannon, ratioVsAutocannon, sendLag: at5k.sendLag, library}
}

// 3. The highest rate sustained.
{
  // Every rate is tried until the generator stops achieving the rate: the send strategy changes
  // with the rate (timers between 1,000 and 10,000/s, to ~1 ms), so a rate that misses the lag
  // criterion does not mean a higher one will.
  const runs = [at5k]
  for (const rate of [10_000, 15_000, 20_000, 25_000, 30_000]) {
    if (runs.at(-1).achieved < runs.at(-1).rate * 0.98) break
    runs.push(await openRun(rate))
  }
  const best = runs.filter((run) => run.sustained).at(-1)?.rate ?? 0
  console.log(
    `\n3. Open model, default settings (warmup: 2s), ${seconds} s per rate: sustained = achieved >= 98% of offered (server count) and send lag p99 < 1 ms\n`,
  )
  printTable(
    ['offered/s', 'achieved/s', 'send lag p50 ms', 'send lag p99 ms', 'late sends', 'CPU cores', 'sustained'],
    runs.map((run) => [
      run.rate,
      fmt(run.achieved, 0),
      fmt(run.sendLag.p50, 3),
      fmt(run.sendLag.p99, 3),
      run.late,
      fmt(run.cpuSeconds / run.wallSeconds),
      yesNo(run.sustained),
    ]),
  )
  console.log(`\nhighest rate sustained: ${best} req/s (target >= 20000: ${yesNo(best >= 20_000)})`)
  targets.push({name: '3. highest open-model rate sustained', value: best, threshold: '>= 20000', met: best >= 20_000})
  results.maxOpenRate = best
  results.openRates = runs.map((run) => ({
    offered: run.rate,
    achieved: run.achieved,
    sendLag: run.sendLag,
    late: run.late,
    cpuCores: run.cpuSeconds / run.wallSeconds,
    sustained: run.sustained,
  }))
}
server.stop()

// 4. Stall test.
{
  const period = 5000
  const stall = 1000
  const rate = 2000
  // Whole periods, so that arrivals cover every phase of the stall cycle equally.
  const stallSeconds = Math.max(1, Math.ceil(Number(process.env.BENCH_STALL_SECONDS ?? 30) / 5)) * 5
  // Open model, uniform arrivals: a request arriving at phase φ < S waits S − φ, one arriving later
  // ~0. So P(latency <= x) = (P − S)/P + x/P for 0 <= x <= S, and quantile q = (q − (P − S)/P)·P =
  // qP − (P − S) above the unstalled share: p90 500 ms, p99 950 ms, p99.9 995 ms for P 5 s, S 1 s.
  const truth = (q) => Math.max(0, (q - (period - stall) / period) * period)
  const quantiles = {p90: 0.9, p99: 0.99, p999: 0.999}
  const stallServer = await startServer('stall', period, stall)
  const errorPct = (latency, key) => ((latency[key] - truth(quantiles[key])) / truth(quantiles[key])) * 100
  const row = (name, latency) => [
    name,
    ...Object.keys(quantiles).map((key) => fmt(latency[key], 1)),
    Object.keys(quantiles)
      .map((key) => `${fmt(errorPct(latency, key), 1)}%`)
      .join(' / '),
  ]
  const streamctl = await counted(stallServer, () =>
    runStreamctl('stall', openProfile(rate, stallSeconds, `${period / 1000}s`), stallServer.url),
  )
  // What the server itself took to answer during streamctl's run (its warm-up included): the
  // analytic truth plus the time to answer a whole stall's requests in one burst.
  const serverSaw = await stallServer.held()
  const autocannon = await counted(stallServer, () =>
    runAutocannon(stallServer.url, {connections: 100, rate, seconds: stallSeconds}),
  )
  const wrkRun = wrk
    ? await counted(stallServer, () => runWrk(stallServer.url, {connections: 100, seconds: stallSeconds}))
    : undefined
  stallServer.stop()
  const rows = [
    ['analytic truth', ...Object.values(quantiles).map((q) => fmt(truth(q), 1)), '-'],
    row('server: its answer times during the streamctl run', serverSaw),
    row(`streamctl CLI (open model, rate: ${rate}, warmup: ${period / 1000}s)`, streamctl.latency),
    row(`autocannon -c 100 -R ${rate}`, autocannon.latency),
  ]
  if (wrkRun) rows.push(row('wrk -t1 -c100 (closed loop)', wrkRun.latency))
  console.log(
    `\n4. Server stalls ${stall} ms of every ${period} ms, ${stallSeconds} s per tool: latency in ms, error vs the truth\n`,
  )
  printTable(['run', 'p90', 'p99', 'p99.9', 'error p90 / p99 / p99.9'], rows)
  const worst = Math.max(...Object.keys(quantiles).map((key) => Math.abs(errorPct(streamctl.latency, key))))
  console.log(`\nstreamctl's largest error: ${fmt(worst, 1)}% (target within 5%: ${yesNo(worst <= 5)})`)
  targets.push({name: '4. stall test, streamctl error vs truth', value: worst, threshold: '<= 5%', met: worst <= 5})
  results.stall = {
    period,
    stall,
    rate,
    seconds: stallSeconds,
    truth: Object.fromEntries(Object.entries(quantiles).map(([key, q]) => [key, truth(q)])),
    server: serverSaw,
    streamctl: streamctl.latency,
    streamctlSendLag: streamctl.sendLag,
    autocannon: autocannon.latency,
    wrk: wrkRun?.latency,
  }
}

// 6. Capacity search reproducibility.
if (process.env.BENCH_CAPACITY !== '0') {
  const serverRate = Number(process.env.BENCH_CAPACITY_RATE ?? 3300)
  const stepSeconds = Number(process.env.BENCH_CAPACITY_STEP_SECONDS ?? 3)
  const sla = 'p(99)<50ms'
  const profile = `duration: ${stepSeconds}s\nwarmup: 1s\nrate: 1000\n${GET}sla:\n  get: ${sla}\n`
  const capacityServer = await startServer('capacity', serverRate)
  const runs = [1, 2, 3].map((index) => findCapacity(`capacity-${index}`, profile, capacityServer.url))
  capacityServer.stop()
  const found = runs.map((run) => run.capacity)
  const spread = found.every((rate) => rate > 0) ? (Math.max(...found) - Math.min(...found)) / Math.min(...found) : NaN
  console.log(
    `\n6. bench --find-capacity, three runs: profile ${stepSeconds} s steps after 1 s warm-up from 1000 req/s, SLA get: ${sla}, node:http server answering at most ${serverRate} req/s\n`,
  )
  printTable(
    ['run', 'capacity req/s', 'first failure req/s', 'steps', 'stopped by', 'knee req/s', 'wall s'],
    runs.map((run, index) => [
      index + 1,
      run.capacity ?? 'none',
      run.firstFailure ?? '-',
      run.steps.length,
      run.stoppedBy,
      run.knee?.rate ?? '-',
      fmt(run.wallSeconds, 0),
    ]),
  )
  console.log(`\nspread (max − min) / min = ${fmt(spread * 100, 1)}% (target <= 10%: ${yesNo(spread <= 0.1)})`)
  targets.push({
    name: '6. --find-capacity spread of 3 runs',
    value: spread * 100,
    threshold: '<= 10%',
    met: spread <= 0.1,
  })
  // Step records were written to a scratch directory, gone after the run.
  const withoutFiles = (run) => ({...run, steps: run.steps.map(({file, ...step}) => step)})
  results.capacity = {sla, serverRate, stepSeconds, runs: runs.map(withoutFiles), spread}
} else console.log('\n6. bench --find-capacity: skipped (BENCH_CAPACITY=0)')

console.log('\nTargets\n')
printTable(
  ['target', 'value', 'threshold', 'met'],
  targets.map((target) => [
    target.moonshot ? `${target.name} (moonshot)` : target.name,
    fmt(target.value, Number.isInteger(target.value) ? 0 : 2),
    target.threshold,
    yesNo(target.met),
  ]),
)
const judged = targets.filter((target) => !target.moonshot)
const met = judged.filter((target) => target.met).length
results.targets = targets
console.log(
  `\nsummary: targets met: ${yesNo(met === judged.length)} (${met} of ${judged.length}); moonshot streamctl/wrk <= 1.2: ${yesNo(targets.find((target) => target.moonshot)?.met)}`,
)
writeResult('load', results)
