// One transactional id's state, as KIP-98's transaction coordinator keeps it, and the checks every
// transactional request makes against it. A transaction goes Empty → Ongoing (the first partition
// or group added) → PrepareCommit | PrepareAbort (EndTxn, a timeout, or a new producer taking the
// id over) → CompleteCommit | CompleteAbort (markers written), and Ongoing again with the next one.
import type {KafkaErrorType} from '../protocol/errors.js'

export type TransactionState =
  'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort'

export interface TransactionPartition {
  topic: string
  partition: number
  /** The partition's high watermark when it was added: at or before the transaction's first batch there. */
  startOffset: number
}

export interface PendingOffset {
  group: string
  topic: string
  partition: number
  offset: number
  metadata: string | null
}

export interface TransactionSnapshot {
  transactionalId: string
  producerId: number
  producerEpoch: number
  /** The epoch before the last bump (-1 if none): a producer that missed the bump may resume with it (KIP-360). */
  lastProducerEpoch: number
  timeoutMs: number
  state: TransactionState
  /** When the current transaction began (its first partition or group was added). */
  startedAtMs: number
  partitions: TransactionPartition[]
  groups: string[]
  pendingOffsets: PendingOffset[]
}

/** The highest epoch before a producer id is replaced by a new one (Kafka keeps int16 headroom). */
export const MAX_PRODUCER_EPOCH = 32_766

const ALLOWED: Record<TransactionState, readonly TransactionState[]> = {
  Empty: ['Ongoing', 'PrepareAbort'],
  Ongoing: ['Ongoing', 'PrepareCommit', 'PrepareAbort'],
  PrepareCommit: ['CompleteCommit'],
  PrepareAbort: ['CompleteAbort'],
  CompleteCommit: ['Ongoing', 'PrepareAbort'],
  CompleteAbort: ['Ongoing', 'PrepareAbort'],
}

export function canTransition(from: TransactionState, to: TransactionState): boolean {
  return ALLOWED[from].includes(to)
}

export function isPreparing(state: TransactionState): boolean {
  return state === 'PrepareCommit' || state === 'PrepareAbort'
}

/**
 * Whether a request carrying this producer id and epoch speaks for the transactional id: a
 * different producer id is not its producer, an older (or unknown newer) epoch has been fenced.
 */
export function producerError(
  txn: TransactionSnapshot,
  producerId: number,
  producerEpoch: number,
): KafkaErrorType | undefined {
  if (producerId !== txn.producerId) return 'INVALID_PRODUCER_ID_MAPPING'
  if (producerEpoch !== txn.producerEpoch) return 'PRODUCER_FENCED'
  return undefined
}

/** The state a request to add partitions or a group moves to, or the error it gets. */
export function beginOrContinue(txn: TransactionSnapshot, now: number): KafkaErrorType | undefined {
  if (isPreparing(txn.state)) return 'CONCURRENT_TRANSACTIONS'
  if (txn.state !== 'Ongoing') {
    txn.state = 'Ongoing'
    txn.startedAtMs = now
    txn.partitions = []
    txn.groups = []
    txn.pendingOffsets = []
  }
  return undefined
}

/**
 * EndTxn's answer before anything is written: undefined to go ahead, 'retry' for a retried EndTxn
 * of a transaction that already ended the same way (answered with success), or the error.
 */
export function endError(txn: TransactionSnapshot, commit: boolean): KafkaErrorType | 'retry' | undefined {
  switch (txn.state) {
    case 'Ongoing':
      return undefined
    case 'CompleteCommit':
      return commit ? 'retry' : 'INVALID_TXN_STATE'
    case 'CompleteAbort':
      return commit ? 'INVALID_TXN_STATE' : 'retry'
    case 'PrepareCommit':
    case 'PrepareAbort':
      return 'CONCURRENT_TRANSACTIONS'
    case 'Empty':
      return 'INVALID_TXN_STATE'
  }
}

/** A new epoch for the id, or a new producer id once the epoch is exhausted. */
export function bumpEpoch(txn: TransactionSnapshot, nextProducerId: () => number): void {
  txn.lastProducerEpoch = txn.producerEpoch
  if (txn.producerEpoch >= MAX_PRODUCER_EPOCH) {
    txn.producerId = nextProducerId()
    txn.producerEpoch = 0
    txn.lastProducerEpoch = -1
  } else txn.producerEpoch++
}

export const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`
