// Transaction state on disk: an append-only JSON-lines journal (`<dataDir>/transactions/journal.jsonl`)
// of each transactional id's snapshot at every state change and of every aborted transaction a
// partition indexes, replayed at start and then rewritten compacted, as the group store does. A
// torn last line (a crash mid-write) is ignored. Every state change is fsynced unless the fsync
// policy is `never`, so what a producer was answered survives a crash.
import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import path from 'node:path'
import type {FsyncPolicy} from '../log/flush-policy.js'
import type {AbortedTransaction} from './partition-transactions.js'
import {partitionKey, type TransactionSnapshot} from './transaction.js'

export type TransactionJournalEntry =
  | ({type: 'txn'} & TransactionSnapshot)
  | ({type: 'aborted'; topic: string; partition: number} & AbortedTransaction)
  | {type: 'forget-topic'; topic: string}

export interface StoredTransactions {
  transactions: Map<string, TransactionSnapshot>
  /** Aborted transactions by partition key, in marker order. */
  aborted: Map<string, {topic: string; partition: number; entries: AbortedTransaction[]}>
}

export class TransactionStore {
  private fd: number | undefined
  private readonly file: string

  constructor(
    dataDir: string,
    private readonly fsync: FsyncPolicy,
  ) {
    const dir = path.join(dataDir, 'transactions')
    mkdirSync(dir, {recursive: true})
    this.file = path.join(dir, 'journal.jsonl')
  }

  /** Replays the journal, then compacts it to one line per transactional id and per aborted transaction. */
  load(): StoredTransactions {
    const stored: StoredTransactions = {transactions: new Map(), aborted: new Map()}
    let text = ''
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (error) {
      // No journal yet: the first start on this data directory has no transactions. Any other
      // failure must stop the start, or the compaction below would rewrite the journal as empty.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue
      let entry: TransactionJournalEntry
      try {
        entry = JSON.parse(line) as TransactionJournalEntry
      } catch {
        // a torn line from a crash mid-write (see above): skip it, the compacted rewrite drops it
        continue
      }
      apply(stored, entry)
    }
    const compacted: TransactionJournalEntry[] = [
      ...[...stored.transactions.values()].map((snapshot) => ({type: 'txn' as const, ...snapshot})),
      ...[...stored.aborted.values()].flatMap(({topic, partition, entries}) =>
        entries.map((entry) => ({type: 'aborted' as const, topic, partition, ...entry})),
      ),
    ]
    writeFileSync(`${this.file}.tmp`, compacted.map((entry) => `${JSON.stringify(entry)}\n`).join(''))
    renameSync(`${this.file}.tmp`, this.file)
    this.fd = openSync(this.file, 'a')
    return stored
  }

  /** Writes the entries; with `sync`, they are on disk (as the fsync policy allows) before it returns. */
  append(entries: TransactionJournalEntry[], sync: boolean): void {
    if (this.fd === undefined || entries.length === 0) return
    writeSync(this.fd, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''))
    if (sync && this.fsync !== 'never') fdatasyncSync(this.fd)
  }

  close(): void {
    if (this.fd === undefined) return
    if (this.fsync !== 'never') fdatasyncSync(this.fd)
    closeSync(this.fd)
    this.fd = undefined
  }
}

function apply(stored: StoredTransactions, entry: TransactionJournalEntry): void {
  switch (entry.type) {
    case 'txn': {
      const {type: _type, ...snapshot} = entry
      stored.transactions.set(snapshot.transactionalId, snapshot)
      break
    }
    case 'aborted': {
      const key = partitionKey(entry.topic, entry.partition)
      let partition = stored.aborted.get(key)
      if (!partition)
        stored.aborted.set(key, (partition = {topic: entry.topic, partition: entry.partition, entries: []}))
      partition.entries.push({
        producerId: entry.producerId,
        firstOffset: entry.firstOffset,
        lastOffset: entry.lastOffset,
      })
      break
    }
    case 'forget-topic':
      for (const [key, partition] of stored.aborted) if (partition.topic === entry.topic) stored.aborted.delete(key)
      break
  }
}
