// Shared by the bench:* scripts: run a command repeatedly, summarise timings, print a table and
// write a machine-readable result under bench-results/ (gitignored) for `npm run bench`.
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index]
}

export function summarise(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    runs: sorted.length,
    min: sorted[0],
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    max: sorted.at(-1),
  }
}

/** Wall time in ms of each of `runs` executions of `command args` (after `warmup` unmeasured ones). */
export function timeCommand(command, args, {runs = 15, warmup = 2, cwd, env} = {}) {
  const samples = []
  for (let i = 0; i < warmup + runs; i++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(command, args, {cwd, env: {...process.env, ...env}, stdio: ['ignore', 'ignore', 'pipe']})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
    if (i >= warmup) samples.push(ms)
  }
  return samples
}

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  }
}

/** User + system CPU time of a process, in ms (/proc/<pid>/stat fields 14 and 15, clock ticks of 10 ms). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** The machine's backing services by process name (PostgreSQL counts every backend). */
const SERVICES = {postgres: ['postgres'], rabbitmq: ['beam.smp'], redis: ['redis-server']}

/**
 * CPU ms used so far by each backing service's processes. Diff two snapshots with serviceCpuSince:
 * a process started in between counts from zero; one that ended in between is lost (rare: the
 * gateway's PostgreSQL pool keeps its connections).
 */
export function serviceCpu() {
  const snapshot = {}
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let comm
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim()
    } catch {
      continue
    }
    const service = Object.keys(SERVICES).find((name) => SERVICES[name].includes(comm))
    if (!service) continue
    try {
      snapshot[entry] = {service, ms: cpuMs(entry)}
    } catch {
      // the process exited between listing and reading it
    }
  }
  return snapshot
}

export function serviceCpuSince(before) {
  const used = Object.fromEntries(Object.keys(SERVICES).map((name) => [name, 0]))
  for (const [pid, now] of Object.entries(serviceCpu())) used[now.service] += now.ms - (before[pid]?.ms ?? 0)
  return used
}

export function printTable(headers, rows) {
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...rows.map((row) => String(row[index]).length)),
  )
  const line = (cells) => `| ${cells.map((cell, index) => String(cell).padEnd(widths[index])).join(' | ')} |`
  console.log(line(headers))
  console.log(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`)
  for (const row of rows) console.log(line(row))
}

export function writeResult(name, result) {
  const dir = path.resolve('bench-results')
  mkdirSync(dir, {recursive: true})
  const file = path.join(dir, `${name}.json`)
  writeFileSync(
    file,
    `${JSON.stringify({name, at: new Date().toISOString(), machine: machine(), ...result}, null, 2)}\n`,
  )
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`)
}

/** `streamctl broker` as its own process on a free port with `dataDir`; resolves once it listens. */
export async function startBroker(dataDir, extraArgs = []) {
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/run.js')
  const child = spawn(process.execPath, [bin, 'broker', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {...process.env, CI: '1'},
  })
  const port = await new Promise((resolve, reject) => {
    let text = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk) => {
      text += chunk
      const match = /"msg":"broker listening".*?"port":(\d+)/.exec(text)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`broker exited ${code}: ${text}`)))
  })
  return {port, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))}
}

/** One load-generator run in its own process (load-worker.js, so its CPU time is its own): its JSON result. */
export function loadWorker(options) {
  const out = execFileSync(
    process.execPath,
    [path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-worker.js'), JSON.stringify(options)],
    {encoding: 'utf8', maxBuffer: 1 << 24},
  )
  return JSON.parse(out.trim().split('\n').at(-1))
}
