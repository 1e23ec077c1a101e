// npm run bench:capacity — `streamctl bench PROFILE --find-capacity` on the reference stack's gateway,
// three times in a row, as a user runs it: the stack brought up with `streamctl up` (local driver,
// the machine's PostgreSQL, Redis and RabbitMQ) and provisioned, then a profile of the gateway's
// read path (`use: recommendations`, SLA p(95) < 50 ms) searched from 200 req/s, each step
// BENCH_CAPACITY_STEP_SECONDS (default 5) after a 2 s warm-up. Prints each search's capacity, first
// failure, knee and steps, and the spread (max − min) / min of the three capacities (target ≤ 10%).
// The stack is taken down afterwards (`streamctl down`) if this script brought it up.
// The capacity is an absolute rate: on a shared machine the generator, the gateway, the recommender
// and Redis share its cores, so it moves with what else the machine does; bench:load's section 6
// measures the search's own reproducibility on a server whose capacity does not.
import {spawnSync} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {printTable, writeResult} from './harness.js'
import {ensureBuilt, findCapacity} from './load-runners.js'

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/run.js')
const stepSeconds = Number(process.env.BENCH_CAPACITY_STEP_SECONDS ?? 5)

/** `streamctl COMMAND --json`, which must exit with one of `allowed` (0 unless told): its exit status. */
function streamctl(command, allowed = [0]) {
  const result = spawnSync(process.execPath, [CLI, command, '--json'], {
    encoding: 'utf8',
    env: {...process.env, CI: '1'},
  })
  if (!allowed.includes(result.status))
    throw new Error(`streamctl ${command} exited ${result.status}: ${result.stdout}${result.stderr}`)
  return result.status
}

ensureBuilt()
// status exits 0 when the stack is up (3 when it is not).
const wasUp = streamctl('status', [0, 3]) === 0
if (!wasUp) streamctl('up')
try {
  streamctl('provision')
  const profile = [
    "description: The gateway's read path, for a capacity search.",
    `duration: ${stepSeconds}s`,
    'warmup: 2s',
    'rate: 200',
    'timeout: 2s',
    'requests:',
    '  - use: recommendations',
    'sla:',
    '  recommendations: p(95)<50ms',
    '',
  ].join('\n')
  const runs = [1, 2, 3].map((index) => findCapacity(`gateway-read-${index}`, profile))
  console.log(
    `bench --find-capacity on the reference gateway, three runs: recommendations p(95)<50ms, ${stepSeconds} s steps after a 2 s warm-up, from 200 req/s\n`,
  )
  printTable(
    [
      'run',
      'capacity req/s',
      'first failure req/s',
      'knee req/s',
      'stopped by',
      'steps (rate, + passed / - not)',
      'wall s',
    ],
    runs.map((run, index) => [
      index + 1,
      run.capacity ?? '-',
      run.firstFailure ?? '-',
      run.knee?.rate ?? '-',
      run.stoppedBy,
      run.steps.map((step) => `${step.rate}${step.passed ? '+' : '-'}`).join(' '),
      run.wallSeconds.toFixed(0),
    ]),
  )
  const found = runs.map((run) => run.capacity).filter((rate) => rate !== undefined)
  const spread = found.length === 3 ? (Math.max(...found) - Math.min(...found)) / Math.min(...found) : undefined
  console.log(
    `\nspread (max − min) / min = ${spread === undefined ? '- (a search found no capacity)' : `${(spread * 100).toFixed(1)}%`} (target <= 10%: ${spread !== undefined && spread <= 0.1 ? 'yes' : 'no'})`,
  )
  writeResult('capacity', {stepSeconds, runs, spread})
} finally {
  if (!wasUp) streamctl('down')
}
