// One load-generator run for bench:load and bench:gateway, in its own process so its CPU time is its own:
//   node load-worker.js '{"tool":"streamctl"|"autocannon", "url", "model", "rate", "durationMs", "connections"}'
// streamctl runs may also name the request (`request`: a request template — method, path, headers,
// body with {{...}} placeholders) and the users it is sent as (`users`: [{id, tier, apiKey}]).
// Prints one JSON line: requests, cpu seconds, latency percentiles (ms) and, for streamctl, send lag.
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const load = (module) => import(pathToFileURL(path.join(root, 'dist', module)).href)
const options = JSON.parse(process.argv[2])

async function runStreamctl() {
  const {buildSegments} = await load('lib/load/arrival-curves.js')
  const {ArrivalSchedule} = await load('lib/load/arrival-schedule.js')
  const {chooseSendStrategy} = await load('lib/load/engine-settings.js')
  const {HttpTarget} = await load('lib/load/http-client.js')
  const {LoadEngine} = await load('lib/load/load-engine.js')
  const {Population, syntheticUsers} = await load('lib/load/population.js')
  const {NO_RETRIES} = await load('lib/load/retry-policy.js')
  const {compileRequestType, Workload} = await load('lib/load/workload.js')
  const {RunRecorder} = await load('lib/measure/series-recorder.js')
  const open = options.model === 'open'
  const request = {name: 'get', method: 'GET', path: '/', ...options.request}
  const workload = new Workload(
    [compileRequestType(request)],
    new Population(options.users ?? syntheticUsers(100), 1, {count: 10, prefix: 'c', zipf: 1}, 1),
    1,
  )
  const connections = options.connections ?? 100
  const target = new HttpTarget(options.url, {connections})
  const recorder = new RunRecorder()
  const settings = {
    model: options.model,
    ...(open
      ? {
          schedule: new ArrivalSchedule(
            buildSegments([{curve: 'constant', rate: options.rate, durationMs: options.durationMs}]),
            1,
          ),
        }
      : {vus: connections}),
    durationMs: options.durationMs,
    maxInFlight: connections,
    whenCapped: 'queue',
    lateAfterMs: 10,
    timeoutMs: 30_000,
    retry: NO_RETRIES,
    intervalMs: 1000,
    drainTimeoutMs: 5000,
    seed: 1,
    // What the CLI would choose for this rate, unless told.
    sendStrategy: options.sendStrategy ?? chooseSendStrategy('auto', options.model, options.rate ?? 0),
  }
  // Open-model runs warm up first (JIT, keep-alive connections) at the same rate, unmeasured, as
  // wrk2 calibrates before it measures.
  if (open && options.warmupMs) {
    const warmup = {
      ...settings,
      durationMs: options.warmupMs,
      schedule: new ArrivalSchedule(
        buildSegments([{curve: 'constant', rate: options.rate, durationMs: options.warmupMs}]),
        2,
      ),
    }
    await new LoadEngine(warmup, workload, target, new RunRecorder()).run()
  }
  const cpu = process.cpuUsage()
  const started = performance.now()
  await new LoadEngine(settings, workload, target, recorder).run()
  const elapsed = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const totals = recorder.totalsData()[request.name]
  await target.close()
  return {
    requests: totals.counts.succeeded,
    errors: totals.counts.requests - totals.counts.succeeded,
    seconds: elapsed,
    cpuSeconds: (used.user + used.system) / 1e6,
    latency: totals.latency,
    service: totals.service,
    sendLag: recorder.sendLagSummary(),
    heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
  }
}

async function runAutocannon() {
  const {default: autocannon} = await import('autocannon')
  const cpu = process.cpuUsage()
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 100,
    duration: options.durationMs / 1000,
    ...(options.rate ? {overallRate: options.rate} : {}),
  })
  const used = process.cpuUsage(cpu)
  const l = result.latency
  return {
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
    seconds: options.durationMs / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    latency: {p50: l.p50, p90: l.p90, p99: l.p99, max: l.max},
  }
}

const result = options.tool === 'autocannon' ? await runAutocannon() : await runStreamctl()
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
