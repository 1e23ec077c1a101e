// npm run bench:up — time until `streamctl up --driver local` reports the whole reference stack
// healthy: cold (fresh state: new broker log, database and vhost) and warm (after a `down` that kept
// the data). The peer measured in the same run is the floor for starting that many streamctl
// processes at once on this machine (`streamctl --version` × the started components, in parallel).
// Target (PRODUCT.md §6): warm `up` < 15 s. Runs on an isolated copy of the reference stack (its own
// name, free ports, database, vhost and key prefix), so it never touches a stack you have up.
// Run through tsx (see package.json) because it reuses the test suite's stack copier.
import {spawn, spawnSync} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {makeTestStack} from '../../test/helpers/stacks.ts'
import {printTable, summarise, writeResult} from './harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const bin = path.join(root, 'bin', 'run.js')
const rounds = Number(process.env.BENCH_RUNS ?? 3)
const TARGET_WARM_MS = 15_000

function streamctl(stack, args) {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [bin, ...args, '--stack', stack.dir], {
    env: {...process.env, ...stack.env, CI: '1'},
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0)
    throw new Error(`streamctl ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`)
  return {ms, stdout: result.stdout}
}

/** Wall time of `count` concurrent `streamctl --version` processes: the floor of starting them. */
function parallelStartFloor(count) {
  const start = process.hrtime.bigint()
  const children = Array.from(
    {length: count},
    () =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [bin, '--version'], {stdio: 'ignore'})
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`streamctl --version exited ${code}`))))
      }),
  )
  return Promise.all(children).then(() => Number(process.hrtime.bigint() - start) / 1e6)
}

const cold = []
const warm = []
const floor = []
let started = 0
for (let round = 0; round < rounds; round++) {
  const stack = await makeTestStack()
  try {
    const first = streamctl(stack, ['up', '--driver', 'local', '--json'])
    started = JSON.parse(first.stdout).components.filter((component) => component.action === 'started').length
    cold.push(first.ms)
    streamctl(stack, ['down'])
    warm.push(streamctl(stack, ['up', '--driver', 'local', '--json']).ms)
  } finally {
    spawnSync(process.execPath, [bin, 'down', '--volumes', '--stack', stack.dir], {env: {...process.env, ...stack.env}})
    await stack.cleanup()
  }
  floor.push(await parallelStartFloor(started))
}

const results = [
  {name: `${started} × streamctl --version in parallel (floor)`, ...summarise(floor)},
  {name: 'up, cold (fresh state)', ...summarise(cold)},
  {name: 'up, warm (after down, data kept)', ...summarise(warm)},
]
const s = (value) => (value / 1000).toFixed(2)
const base = results[0].median
console.log(
  `streamctl up --driver local, reference stack (${started} components started, shared servers reused), ${rounds} rounds (wall time, s)\n`,
)
printTable(
  ['case', 'median', 'min', 'max', 'x floor'],
  results.map((result) => [
    result.name,
    s(result.median),
    s(result.min),
    s(result.max),
    (result.median / base).toFixed(1),
  ]),
)
const warmMedian = results[2].median
console.log(
  `\nwarm up median ${s(warmMedian)} s ${warmMedian < TARGET_WARM_MS ? 'meets' : 'MISSES'} the ${TARGET_WARM_MS / 1000} s target.`,
)
writeResult('up', {rounds, components: started, targetWarmMs: TARGET_WARM_MS, results})
