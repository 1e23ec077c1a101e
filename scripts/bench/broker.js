// npm run bench:broker — the embedded broker's produce and consume throughput for 100 B and 1 KB
// records, and produce latency at a fixed 10 MB/s, next to a raw baseline measured in the same run:
// a sequential write (and read) of the same bytes, in the same chunks, to the same disk.
// Targets (PRODUCT.md §6): >= 50 MB/s produce with 1 KB records, >= 100k records/s with 100 B
// records, produce p99 < 10 ms at 10 MB/s. The broker runs as its own process (`streamctl broker`).
// Then broker-transactions.js: commit of a 100-record transaction p99 < 20 ms at 100 tx/s.
import {closeSync, fsyncSync, mkdtempSync, openSync, readSync, rmSync, writeSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {printTable, quantile, writeResult, startBroker} from './harness.js'
import {benchTransactions, printTransactions} from './broker-transactions.js'
import {WireClient} from './kafka-wire-client.js'

const scale = Number(process.env.BENCH_SCALE ?? 1)
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 8)
const fsync = process.env.BENCH_FSYNC ?? 'interval'
const BATCH_BYTES = 64 * 1024
const workloads = [
  {name: '100 B', size: 100, records: Math.round(600_000 * scale)},
  {name: '1 KB', size: 1024, records: Math.round(150_000 * scale)},
]

/** Sends `batches` copies of a produce frame with up to `inFlight` outstanding; returns seconds. */
async function produceThroughput(client, frame, batches) {
  const start = process.hrtime.bigint()
  let sent = 0
  const lane = async () => {
    while (sent < batches) {
      sent++
      await client.send(frame)
    }
  }
  await Promise.all(Array.from({length: inFlight}, lane))
  return Number(process.hrtime.bigint() - start) / 1e9
}

async function consumeThroughput(client, topic, expected) {
  const start = process.hrtime.bigint()
  let offset = 0
  let records = 0
  let bytes = 0
  while (records < expected) {
    const fetched = await client.fetch(topic, offset, 4 * 1024 * 1024)
    if (fetched.count === 0) break
    records += fetched.count
    bytes += fetched.bytes
    offset = fetched.next
  }
  return {seconds: Number(process.hrtime.bigint() - start) / 1e9, records, bytes}
}

/** The same bytes, in the same chunk size, written sequentially to a file in the same directory. */
function rawDisk(dir, chunk, chunks) {
  const file = path.join(dir, 'raw-baseline.bin')
  const fd = openSync(file, 'w')
  let start = process.hrtime.bigint()
  for (let index = 0; index < chunks; index++) writeSync(fd, chunk)
  fsyncSync(fd)
  const writeSeconds = Number(process.hrtime.bigint() - start) / 1e9
  closeSync(fd)
  const readFd = openSync(file, 'r')
  const buffer = Buffer.allocUnsafe(4 * 1024 * 1024)
  start = process.hrtime.bigint()
  let position = 0
  for (let count; (count = readSync(readFd, buffer, 0, buffer.length, position)) > 0;) position += count
  const readSeconds = Number(process.hrtime.bigint() - start) / 1e9
  closeSync(readFd)
  rmSync(file)
  return {writeSeconds, readSeconds}
}

/** Open-model produce at a fixed byte rate: latency measured from each request's intended send time. */
async function latencyAtRate(client, topic, mbPerSecond, seconds) {
  const recordSize = 1024
  const perRequest = 10
  const frame = client.produceFrame(topic, perRequest, recordSize, 1)
  const requestsPerSecond = (mbPerSecond * 1e6) / (recordSize * perRequest)
  const intervalNs = 1e9 / requestsPerSecond
  const total = Math.round(requestsPerSecond * seconds)
  const latencies = []
  const start = process.hrtime.bigint()
  const pending = []
  for (let index = 0; index < total; index++) {
    const intended = start + BigInt(Math.round(index * intervalNs))
    while (process.hrtime.bigint() < intended) {
      const waitMs = Number(intended - process.hrtime.bigint()) / 1e6
      if (waitMs > 1.5) await new Promise((resolve) => setTimeout(resolve, waitMs - 1))
      else await new Promise((resolve) => setImmediate(resolve))
    }
    pending.push(client.send(frame).then(() => latencies.push(Number(process.hrtime.bigint() - intended) / 1e6)))
  }
  await Promise.all(pending)
  latencies.sort((a, b) => a - b)
  return {requests: total, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1)}
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'streamctl-bench-broker-'))
const broker = await startBroker(path.join(dataDir, 'broker'), ['--fsync', fsync])
const client = await WireClient.connect(broker.port)
const rows = []
const results = []
try {
  // Latency first, on a quiet disk: the throughput runs leave dirty pages the kernel writes back later.
  await client.createTopic('bench-latency')
  await latencyAtRate(client, 'bench-latency', 10, 2) // warm-up, not measured
  const latency = await latencyAtRate(client, 'bench-latency', 10, 5 * scale)
  for (const workload of workloads) {
    const topic = `bench-${workload.size}`
    await client.createTopic(topic)
    const perBatch = Math.max(1, Math.floor(BATCH_BYTES / (workload.size + 8)))
    const frame = client.produceFrame(topic, perBatch, workload.size, 1)
    const batches = Math.ceil(workload.records / perBatch)
    const records = batches * perBatch
    const bytes = records * workload.size
    // Warm up the broker (JIT, first segment) before measuring.
    await produceThroughput(client, frame, Math.min(200, batches))
    const produceSeconds = await produceThroughput(client, frame, batches)
    const consumed = await consumeThroughput(client, topic, records + Math.min(200, batches) * perBatch)
    const raw = rawDisk(dataDir, frame, batches)
    const produceMBs = bytes / 1e6 / produceSeconds
    const consumeMBs = (consumed.records * workload.size) / 1e6 / consumed.seconds
    const rawWriteMBs = (frame.length * batches) / 1e6 / raw.writeSeconds
    const rawReadMBs = (frame.length * batches) / 1e6 / raw.readSeconds
    results.push({
      workload: workload.name,
      records,
      recordsPerBatch: perBatch,
      produceMBs,
      produceRecordsPerSecond: records / produceSeconds,
      consumeMBs,
      consumeRecordsPerSecond: consumed.records / consumed.seconds,
      rawWriteMBs,
      rawReadMBs,
    })
    rows.push([
      `produce ${workload.name}`,
      produceMBs.toFixed(1),
      Math.round(records / produceSeconds).toLocaleString('en-US'),
      rawWriteMBs.toFixed(1),
      (produceMBs / rawWriteMBs).toFixed(2),
    ])
    rows.push([
      `consume ${workload.name}`,
      consumeMBs.toFixed(1),
      Math.round(consumed.records / consumed.seconds).toLocaleString('en-US'),
      rawReadMBs.toFixed(1),
      (consumeMBs / rawReadMBs).toFixed(2),
    ])
  }
  console.log(
    `Embedded broker, fsync=${fsync}, acks=1, ${inFlight} requests in flight, ~64 KB batches, one partition\n`,
  )
  printTable(['case', 'MB/s', 'records/s', 'raw disk MB/s', 'x raw'], rows)
  console.log(
    `\nproduce latency at 10 MB/s (1 KB records, 10 per request, open model): p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms over ${latency.requests} requests`,
  )
  const oneKb = results.find((result) => result.workload === '1 KB')
  const small = results.find((result) => result.workload === '100 B')
  const verdict = (ok) => (ok ? 'meets' : 'MISSES')
  console.log(
    `\nTargets: produce 1 KB ${oneKb.produceMBs.toFixed(1)} MB/s ${verdict(oneKb.produceMBs >= 50)} >= 50 MB/s; produce 100 B ${Math.round(small.produceRecordsPerSecond).toLocaleString('en-US')} records/s ${verdict(small.produceRecordsPerSecond >= 100_000)} >= 100k/s; p99 at 10 MB/s ${latency.p99.toFixed(2)} ms ${verdict(latency.p99 < 10)} < 10 ms`,
  )
  writeResult('broker', {fsync, inFlight, results, latency})
} finally {
  client.close()
  await broker.stop()
  rmSync(dataDir, {recursive: true, force: true})
}
// Transactions (issue #27) on a broker of their own.
const transactions = await benchTransactions({fsync})
printTransactions(transactions)
writeResult('broker-transactions', transactions)
