// node scripts/bench/broker-transactions.js (also run by `npm run bench:broker`) — the cost of a
// transaction on the embedded broker (issue #27): kafkajs transactional producers commit
// 100-record transactions at a fixed 100 tx/s for ~10 s, and the script prints p50/p99 of the
// commit (the EndTxn round trip: prepare journaled, markers appended, complete) and of the whole
// transaction (begin, AddPartitionsToTxn, produce, EndTxn), against the target: commit of a
// 100-record transaction p99 < 20 ms at 100 tx/s. The broker runs as its own process.
// BENCH_TXN_SECONDS, BENCH_TXN_RATE, BENCH_TXN_PRODUCERS and BENCH_FSYNC change the run.
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Kafka, logLevel} from 'kafkajs'
import {printTable, quantile, startBroker, writeResult} from './harness.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const TARGET_P99_MS = 20

const summary = (samples) => {
  const sorted = [...samples].sort((left, right) => left - right)
  return {count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1)}
}

const elapsedMs = (start) => Number(process.hrtime.bigint() - start) / 1e6

export async function benchTransactions({
  seconds = Number(process.env.BENCH_TXN_SECONDS ?? 10),
  rate = Number(process.env.BENCH_TXN_RATE ?? 100),
  recordsPerTransaction = 100,
  recordBytes = 100,
  producers = Number(process.env.BENCH_TXN_PRODUCERS ?? 4),
  fsync = process.env.BENCH_FSYNC ?? 'interval',
} = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'streamctl-bench-txn-'))
  const broker = await startBroker(path.join(dataDir, 'broker'), ['--fsync', fsync])
  const kafka = new Kafka({brokers: [`127.0.0.1:${broker.port}`], clientId: 'bench-txn', logLevel: logLevel.NOTHING})
  const topic = 'bench-transactions'
  const lanes = []
  try {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic, numPartitions: producers}]})
    await admin.disconnect()
    for (let lane = 0; lane < producers; lane++) {
      const producer = kafka.producer({transactionalId: `bench-${lane}`, maxInFlightRequests: 1, idempotent: true})
      await producer.connect()
      lanes.push(producer)
    }
    const value = Buffer.alloc(recordBytes, 'x')
    const messages = (lane) => Array.from({length: recordsPerTransaction}, () => ({partition: lane, value}))
    const commits = []
    const whole = []
    let late = 0
    const runLane = async (producer, lane, count, measured) => {
      // Each producer runs its share of the rate on its own schedule (open model: a transaction
      // that starts late because the previous one ran long counts from its scheduled start).
      const interval = (1000 * producers) / rate
      const start = process.hrtime.bigint()
      for (let index = 0; index < count; index++) {
        const due = index * interval + (lane * interval) / producers
        const wait = due - elapsedMs(start)
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        else if (wait < -1) late++
        const scheduled = start + BigInt(Math.round(due * 1e6))
        const txn = await producer.transaction()
        await txn.send({topic, messages: messages(lane)})
        const committing = process.hrtime.bigint()
        await txn.commit()
        if (measured) {
          commits.push(elapsedMs(committing))
          whole.push(Math.max(elapsedMs(scheduled), 0))
        }
      }
    }
    const perLane = (total) => Math.ceil(total / producers)
    await Promise.all(lanes.map((producer, lane) => runLane(producer, lane, perLane(rate), false))) // 1 s warm-up
    late = 0
    const started = process.hrtime.bigint()
    await Promise.all(lanes.map((producer, lane) => runLane(producer, lane, perLane(rate * seconds), true)))
    const achievedRate = commits.length / (elapsedMs(started) / 1000)
    const result = {
      fsync,
      producers,
      rate,
      achievedRate,
      recordsPerTransaction,
      recordBytes,
      lateStarts: late,
      commit: summary(commits),
      transaction: summary(whole),
    }
    result.meetsTarget = result.commit.p99 < TARGET_P99_MS
    return result
  } finally {
    for (const producer of lanes) await producer.disconnect()
    await broker.stop()
    rmSync(dataDir, {recursive: true, force: true})
  }
}

export function printTransactions(result) {
  console.log(
    `\nTransactions: ${result.recordsPerTransaction} x ${result.recordBytes} B records each, ${result.rate} tx/s asked (${result.achievedRate.toFixed(1)} achieved) from ${result.producers} kafkajs transactional producers, fsync=${result.fsync}\n`,
  )
  const row = (name, stats) => [name, stats.count, stats.p50.toFixed(2), stats.p99.toFixed(2), stats.max.toFixed(2)]
  printTable(
    ['latency (ms)', 'n', 'p50', 'p99', 'max'],
    [
      row('commit (EndTxn round trip)', result.commit),
      row('whole transaction (from its scheduled start)', result.transaction),
    ],
  )
  console.log(
    `\nTarget: commit of a ${result.recordsPerTransaction}-record transaction p99 ${result.commit.p99.toFixed(2)} ms ${result.meetsTarget ? 'meets' : 'MISSES'} < ${TARGET_P99_MS} ms at ${result.rate} tx/s${result.lateStarts > 0 ? ` (${result.lateStarts} transactions started late)` : ''}`,
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchTransactions()
  printTransactions(result)
  writeResult('broker-transactions', result)
}
