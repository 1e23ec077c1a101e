// npm run bench:broker — the embedded broker's produce and consume throughput for 100 B and 1 KB
// records, and produce latency at a fixed 10 MB/s, next to a raw baseline measured in the same run
// on the same disk. The broker runs as its own process (`streamctl broker`).
//
// Targets (PRODUCT.md §6, issue #27):
//   - produce 1 KB records >= 50 MB/s and >= 0.30x the raw sequential write of the same bytes;
//   - produce 100 B records >= 100k records/s;
//   - consume >= 0.30x the raw sequential read of the same bytes (the page cache cold for both);
//   - produce p99 < 10 ms at 10 MB/s;
//   - then broker-transactions.js: commit of a 100-record transaction p99 < 20 ms at 100 tx/s.
//
// How the ratios stay fair: "x raw" divides bytes per second by bytes per second over the same
// bytes. Raw write: the very produce frames the broker received (same count, same 64 KB chunks)
// written with write(2) and fsynced once at the end. Raw read: that file read back in 4 MB reads,
// the size of the bench consumer's fetches, against the stored batches the consumer received.
// Consume runs twice, each beside a raw read under the same condition:
//   - cold (the target): the segment files and the raw file are fsynced and dropped from the page
//     cache (posix_fadvise DONTNEED through `dd iflag=nocache count=0`) before each read;
//   - warm (information): both straight from the page cache. There the raw read is a memory copy
//     (about 10 GB/s) while every fetched byte also crosses loopback TCP twice, which alone caps any
//     server well below 0.30x (a do-nothing Node server sending 4 MB from memory manages ~0.2x).
// The consumer (kafka-wire-client.js) reads each response straight into its own buffer and walks
// the batch headers, as librdkafka does before it hands records to the application.
import {spawn, spawnSync} from 'node:child_process'
import net from 'node:net'
import {closeSync, fsyncSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {printTable, quantile, writeResult, startBroker} from './harness.js'
import {benchTransactions, printTransactions} from './broker-transactions.js'
import {WireClient} from './kafka-wire-client.js'

const scale = Number(process.env.BENCH_SCALE ?? 1)
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 8)
const fsync = process.env.BENCH_FSYNC ?? 'interval'
const BATCH_BYTES = 64 * 1024
const FETCH_BYTES = 4 * 1024 * 1024
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

/** Fetches the whole topic from offset 0 in 4 MB fetches, one at a time, as a catching-up consumer does. */
async function consumeThroughput(client, topic, expected) {
  const start = process.hrtime.bigint()
  let offset = 0
  let records = 0
  let bytes = 0
  while (records < expected) {
    const fetched = await client.fetch(topic, offset, FETCH_BYTES)
    if (fetched.count === 0) break
    records += fetched.count
    bytes += fetched.bytes
    offset = fetched.next
  }
  return {seconds: Number(process.hrtime.bigint() - start) / 1e9, records, bytes}
}

/** fsync, then drop the file's pages from the page cache, so the next read comes from the disk. */
function dropFromPageCache(file) {
  for (const [command, args] of [
    ['sync', [file]],
    ['dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']],
  ]) {
    const result = spawnSync(command, args, {encoding: 'utf8'})
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`)
  }
}

function segmentFiles(topic) {
  const dir = path.join(dataDir, 'broker', 'topics', topic, '0')
  return readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .map((name) => path.join(dir, name))
}

/** The same frames, in the same chunks, written sequentially to a file in the same directory and read back. */
function rawDisk(dir, chunk, chunks) {
  const file = path.join(dir, 'raw-baseline.bin')
  const fd = openSync(file, 'w')
  const start = process.hrtime.bigint()
  for (let index = 0; index < chunks; index++) writeSync(fd, chunk)
  fsyncSync(fd)
  const writeSeconds = Number(process.hrtime.bigint() - start) / 1e9
  closeSync(fd)
  const readAll = () => {
    const readFd = openSync(file, 'r')
    const buffer = Buffer.allocUnsafe(FETCH_BYTES)
    const began = process.hrtime.bigint()
    let position = 0
    for (let count; (count = readSync(readFd, buffer, 0, buffer.length, position)) > 0;) position += count
    const seconds = Number(process.hrtime.bigint() - began) / 1e9
    closeSync(readFd)
    return seconds
  }
  dropFromPageCache(file)
  const coldReadSeconds = readAll()
  const warmReadSeconds = readAll()
  rmSync(file)
  return {bytes: chunk.length * chunks, writeSeconds, coldReadSeconds, warmReadSeconds}
}

/** Open-model produce at a fixed byte rate: latency measured from each request's intended send time. */
/**
 * The loopback ceiling: MB/s of `bytes` written from memory in 4 MB writes by a node:net server in
 * its own process, and read here into one 4 MB buffer (as kafka-wire-client.js reads a response).
 */
async function loopbackCeiling(bytes) {
  const server = spawn(
    process.execPath,
    [
      '-e',
      `const net = require('node:net'); const total = Number(process.argv[1]); const chunk = Buffer.alloc(4 << 20, 7)
       net.createServer((socket) => { let left = total; const more = () => { while (left > 0) { const n = Math.min(left, chunk.length); left -= n; if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return socket.once('drain', more) } socket.end() }; more() })
         .listen(0, '127.0.0.1', function () { console.log(this.address().port) })`,
      String(bytes),
    ],
    {stdio: ['ignore', 'pipe', 'inherit']},
  )
  try {
    const port = Number(await new Promise((resolve) => server.stdout.once('data', resolve)))
    const target = Buffer.allocUnsafe(4 << 20)
    return await new Promise((resolve, reject) => {
      let received = 0
      let filled = 0
      const started = process.hrtime.bigint()
      const socket = net.connect({
        port,
        host: '127.0.0.1',
        onread: {
          buffer: () => target.subarray(filled),
          callback: (length) => {
            received += length
            filled = (filled + length) % target.length
            return true
          },
        },
      })
      socket.on('error', reject)
      socket.on('end', () => {
        if (received !== bytes) reject(new Error(`loopback: ${received} of ${bytes} bytes`))
        else resolve(bytes / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9))
      })
    })
  } finally {
    server.kill()
  }
}

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
    const warmup = Math.min(200, batches)
    await produceThroughput(client, frame, warmup)
    const produceSeconds = await produceThroughput(client, frame, batches)
    const expected = (warmup + batches) * perBatch
    for (const file of segmentFiles(topic)) dropFromPageCache(file)
    const cold = await consumeThroughput(client, topic, expected)
    const warm = await consumeThroughput(client, topic, expected)
    if (cold.records !== expected || warm.records !== expected)
      throw new Error(`consumed ${cold.records} and ${warm.records} records, expected ${expected}`)
    const raw = rawDisk(dataDir, frame, warmup + batches)
    const loopbackMBs = await loopbackCeiling(warm.bytes)
    const rate = (count, seconds) => count / 1e6 / seconds
    const result = {
      workload: workload.name,
      records,
      recordsPerBatch: perBatch,
      produceMBs: rate(bytes, produceSeconds),
      produceRecordsPerSecond: records / produceSeconds,
      produceVsRawWrite: rate(frame.length * batches, produceSeconds) / rate(raw.bytes, raw.writeSeconds),
      rawWriteMBs: rate(raw.bytes, raw.writeSeconds),
    }
    for (const [name, consumed, rawSeconds] of [
      ['cold', cold, raw.coldReadSeconds],
      ['warm', warm, raw.warmReadSeconds],
    ]) {
      result[`consume${name === 'cold' ? 'Cold' : 'Warm'}`] = {
        MBs: rate(consumed.bytes, consumed.seconds),
        recordsPerSecond: consumed.records / consumed.seconds,
        rawReadMBs: rate(raw.bytes, rawSeconds),
        vsRawRead: rate(consumed.bytes, consumed.seconds) / rate(raw.bytes, rawSeconds),
      }
    }
    result.consumeWarm.loopbackMBs = loopbackMBs
    result.consumeWarm.vsLoopback = result.consumeWarm.MBs / loopbackMBs
    results.push(result)
    rows.push([
      `produce ${workload.name}`,
      result.produceMBs.toFixed(1),
      Math.round(result.produceRecordsPerSecond).toLocaleString('en-US'),
      result.rawWriteMBs.toFixed(1),
      result.produceVsRawWrite.toFixed(2),
    ])
    for (const [label, consume] of [
      ['cold', result.consumeCold],
      ['warm', result.consumeWarm],
    ])
      rows.push([
        `consume ${workload.name} ${label}`,
        consume.MBs.toFixed(1),
        Math.round(consume.recordsPerSecond).toLocaleString('en-US'),
        consume.rawReadMBs.toFixed(1),
        consume.vsRawRead.toFixed(2),
      ])
  }
  console.log(
    `Embedded broker, fsync=${fsync}, acks=1, ${inFlight} requests in flight, ~64 KB batches, one partition\n`,
  )
  printTable(['case', 'MB/s', 'records/s', 'raw disk MB/s', 'x raw'], rows)
  console.log(
    '\nproduce MB/s counts record values; consume MB/s and every "x raw" count the same bytes on both sides (frames written, batches read); cold = page cache dropped before the broker\'s and the raw read, warm = both from the page cache',
  )
  console.log(
    `warm consume against the loopback ceiling (a do-nothing server sending the same bytes from memory, same run): ${results
      .map(
        (result) =>
          `${result.workload} ${result.consumeWarm.MBs.toFixed(0)} / ${result.consumeWarm.loopbackMBs.toFixed(0)} MB/s = ${result.consumeWarm.vsLoopback.toFixed(2)}x`,
      )
      .join('; ')}`,
  )
  console.log(
    `\nproduce latency at 10 MB/s (1 KB records, 10 per request, open model): p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms over ${latency.requests} requests`,
  )
  const oneKb = results.find((result) => result.workload === '1 KB')
  const small = results.find((result) => result.workload === '100 B')
  const verdict = (ok) => (ok ? 'meets' : 'MISSES')
  const worstConsume = Math.min(...results.map((result) => result.consumeCold.vsRawRead))
  console.log('\nTargets:')
  for (const line of [
    `produce 1 KB ${oneKb.produceMBs.toFixed(1)} MB/s ${verdict(oneKb.produceMBs >= 50)} >= 50 MB/s`,
    `produce 1 KB ${oneKb.produceVsRawWrite.toFixed(3)}x raw write ${verdict(oneKb.produceVsRawWrite >= 0.3)} >= 0.30x`,
    `produce 100 B ${Math.round(small.produceRecordsPerSecond).toLocaleString('en-US')} records/s ${verdict(small.produceRecordsPerSecond >= 100_000)} >= 100k/s`,
    `consume (cold, both sizes) ${worstConsume.toFixed(3)}x raw read ${verdict(worstConsume >= 0.3)} >= 0.30x`,
    `produce p99 at 10 MB/s ${latency.p99.toFixed(2)} ms ${verdict(latency.p99 < 10)} < 10 ms`,
  ])
    console.log(`  ${line}`)
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
