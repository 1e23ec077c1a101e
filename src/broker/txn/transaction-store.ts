// Transaction state on disk: a JSON-lines journal (`<dataDir>/transactions/`, log/journal.ts) of
// each transactional id's snapshot at every state change and of every aborted transaction a
// partition indexes, replayed at start and then rewritten compacted. Every state change the caller
// asks to sync is fsynced unless the fsync policy is `never`, so what a producer was answered
// survives a crash.
import type {FsyncPolicy} from '../log/flush-policy.js'
import {JsonJournal} from '../log/journal.js'
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
  private readonly journal: JsonJournal<TransactionJournalEntry>

  constructor(dataDir: string, fsync: FsyncPolicy) {
    this.journal = new JsonJournal(dataDir, 'transactions', fsync)
  }

  /** Replays the journal, then compacts it to one line per transactional id and per aborted transaction. */
  load(): StoredTransactions {
    const stored: StoredTransactions = {transactions: new Map(), aborted: new Map()}
    this.journal.load(
      (entry) => apply(stored, entry),
      (): TransactionJournalEntry[] => [
        ...[...stored.transactions.values()].map((snapshot) => ({type: 'txn' as const, ...snapshot})),
        ...[...stored.aborted.values()].flatMap(({topic, partition, entries}) =>
          entries.map((entry) => ({type: 'aborted' as const, topic, partition, ...entry})),
        ),
      ],
    )
    return stored
  }

  /** Writes the entries; with `sync`, they are on disk (as the fsync policy allows) before it returns. */
  append(entries: TransactionJournalEntry[], sync: boolean): void {
    this.journal.append(entries, sync)
  }

  close(): void {
    this.journal.close()
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
