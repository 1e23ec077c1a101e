// The transaction coordinator of this single-node broker (KIP-98): every transactional id's
// producer id, epoch and transaction state, the partitions and groups in its transaction, its
// offsets pending until commit, and the timeout that aborts a forgotten transaction. Ending a
// transaction writes a commit or abort marker to each of its partitions through the log's normal
// append path; the partitions' open and aborted transactions give read_committed its view.
import {KafkaProtocolError, type KafkaErrorType} from '../protocol/errors.js'
import {isControl, isTransactional, type BatchHeader} from '../protocol/record-batch.js'
import type {MarkerType} from '../protocol/control-batch.js'
import {PartitionTransactions} from './partition-transactions.js'
import {
  beginOrContinue,
  bumpEpoch,
  canTransition,
  endError,
  isPreparing,
  partitionKey,
  producerError,
  type PendingOffset,
  type TransactionSnapshot,
  type TransactionState,
} from './transaction.js'
import type {TransactionJournalEntry, TransactionStore} from './transaction-store.js'

/** What the coordinator needs of the rest of the broker. */
export interface TransactionEffects {
  /** A fresh producer id, never handed out before on this data directory. */
  nextProducerId(): number
  /** The partition's high watermark, or undefined when it does not exist. */
  highWatermark(topic: string, partition: number): number | undefined
  /**
   * Appends a marker to the partition: its offset, and a promise that resolves once it is as
   * durable as the fsync policy makes any batch; undefined when the partition no longer exists.
   */
  appendMarker(
    topic: string,
    partition: number,
    marker: MarkerType,
    producer: {producerId: number; producerEpoch: number},
  ): {offset: number; durable: Promise<void> | undefined} | undefined
  /** Applies a committed transaction's offsets to their groups. */
  commitOffsets(offsets: PendingOffset[]): void
  /** Hears a transaction the coordinator ended on its own (timeout, takeover, recovery). */
  onAborted?(transactionalId: string, reason: string): void
  /** Hears a timeout abort that failed (a marker could not be written); the next check retries it. */
  onBackgroundFailure?(error: unknown): void
}

export interface TransactionCoordinatorOptions {
  /** transaction.max.timeout.ms: the longest transaction timeout a producer may ask for. */
  maxTimeoutMs: number
  /** How often open transactions are checked against their timeout. */
  timeoutCheckMs: number
  now?: () => number
}

export const DEFAULT_MAX_TRANSACTION_TIMEOUT_MS = 900_000

export class TransactionCoordinator {
  private readonly transactions = new Map<string, TransactionSnapshot>()
  private readonly byProducerId = new Map<number, TransactionSnapshot>()
  private readonly partitions = new Map<string, PartitionTransactions>()
  private readonly timer: NodeJS.Timeout | undefined
  private readonly now: () => number

  constructor(
    private readonly store: TransactionStore,
    private readonly effects: TransactionEffects,
    private readonly options: TransactionCoordinatorOptions,
  ) {
    this.now = options.now ?? Date.now
    const stored = store.load()
    for (const {topic, partition, entries} of stored.aborted.values())
      for (const entry of entries) this.partition(topic, partition).restoreAborted(entry)
    for (const txn of stored.transactions.values()) {
      this.index(txn)
      // The exact first offsets died with the process: the offset each partition was added at is
      // at or before it, so the last stable offset holds there until the transaction ends.
      if (txn.state === 'Ongoing' || isPreparing(txn.state))
        for (const added of txn.partitions)
          this.partition(added.topic, added.partition).begin(txn.producerId, added.startOffset)
    }
    if (options.timeoutCheckMs > 0) {
      this.timer = setInterval(() => {
        this.abortTimedOut().catch((error: unknown) => this.effects.onBackgroundFailure?.(error))
      }, options.timeoutCheckMs)
      this.timer.unref()
    }
  }

  /** Finishes transactions that were between prepare and complete when the broker stopped. */
  async recover(): Promise<void> {
    for (const txn of this.transactions.values()) {
      if (!isPreparing(txn.state)) continue
      this.effects.onAborted?.(txn.transactionalId, `completing ${txn.state} after restart`)
      await this.complete(txn, txn.state === 'PrepareCommit')
    }
  }

  private index(txn: TransactionSnapshot): void {
    this.transactions.set(txn.transactionalId, txn)
    this.byProducerId.set(txn.producerId, txn)
  }

  private partition(topic: string, partition: number): PartitionTransactions {
    const key = partitionKey(topic, partition)
    let found = this.partitions.get(key)
    if (!found) this.partitions.set(key, (found = new PartitionTransactions()))
    return found
  }

  private transition(txn: TransactionSnapshot, to: TransactionState, extra: TransactionJournalEntry[] = []): void {
    if (txn.state !== to && !canTransition(txn.state, to))
      throw new Error(`transaction ${txn.transactionalId}: ${txn.state} cannot go to ${to}`)
    txn.state = to
    // A lost Complete* line is harmless: recovery finds Prepare* and writes the same markers again.
    this.persist(txn, extra, to !== 'CompleteCommit' && to !== 'CompleteAbort')
  }

  private persist(txn: TransactionSnapshot, extra: TransactionJournalEntry[] = [], sync = true): void {
    this.store.append([{type: 'txn', ...txn, partitions: [...txn.partitions]}, ...extra], sync)
  }

  /**
   * InitProducerId. Without a transactional id: a fresh idempotent producer id. With one: the id's
   * producer id with its epoch bumped (a new one the first time), which fences every older
   * producer of the id; a transaction that producer left open is aborted first.
   */
  async initProducerId(request: {
    transactionalId: string | null
    transactionTimeoutMs: number
    producerId: number
    producerEpoch: number
  }): Promise<{error?: KafkaErrorType; producerId: number; producerEpoch: number}> {
    const failed = (error: KafkaErrorType) => ({error, producerId: -1, producerEpoch: -1})
    if (request.transactionalId === null || request.transactionalId === '') {
      if (request.transactionalId === '') return failed('INVALID_REQUEST')
      return {producerId: this.effects.nextProducerId(), producerEpoch: 0}
    }
    if (request.transactionTimeoutMs <= 0 || request.transactionTimeoutMs > this.options.maxTimeoutMs)
      return failed('INVALID_TRANSACTION_TIMEOUT')
    let txn = this.transactions.get(request.transactionalId)
    if (!txn) {
      txn = {
        transactionalId: request.transactionalId,
        producerId: this.effects.nextProducerId(),
        producerEpoch: 0,
        lastProducerEpoch: -1,
        timeoutMs: request.transactionTimeoutMs,
        state: 'Empty',
        startedAtMs: -1,
        partitions: [],
        groups: [],
        pendingOffsets: [],
      }
      this.index(txn)
      this.persist(txn)
      return {producerId: txn.producerId, producerEpoch: txn.producerEpoch}
    }
    if (isPreparing(txn.state)) return failed('CONCURRENT_TRANSACTIONS')
    // A producer resuming with the id and epoch it holds (KIP-360) must hold the current ones, or
    // the ones from just before the last bump.
    if (
      request.producerId !== -1 &&
      (request.producerId !== txn.producerId ||
        (request.producerEpoch !== txn.producerEpoch && request.producerEpoch !== txn.lastProducerEpoch))
    )
      return failed('PRODUCER_FENCED')
    if (txn.state === 'Ongoing') {
      this.effects.onAborted?.(txn.transactionalId, 'a new producer initialised the transactional id')
      await this.complete(txn, false)
    }
    this.byProducerId.delete(txn.producerId)
    bumpEpoch(txn, () => this.effects.nextProducerId())
    txn.timeoutMs = request.transactionTimeoutMs
    this.index(txn)
    this.persist(txn)
    return {producerId: txn.producerId, producerEpoch: txn.producerEpoch}
  }

  private producer(transactionalId: string, producerId: number, producerEpoch: number): TransactionSnapshot {
    const txn = this.transactions.get(transactionalId)
    if (!txn) throw new KafkaProtocolError('INVALID_PRODUCER_ID_MAPPING')
    const error = producerError(txn, producerId, producerEpoch)
    if (error) throw new KafkaProtocolError(error)
    return txn
  }

  /** AddPartitionsToTxn, for partitions the caller has checked exist. Throws the request's error. */
  addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: Array<{topic: string; partition: number}>,
  ): void {
    const txn = this.producer(transactionalId, producerId, producerEpoch)
    const error = beginOrContinue(txn, this.now())
    if (error) throw new KafkaProtocolError(error)
    let added = false
    for (const {topic, partition} of partitions) {
      if (txn.partitions.some((known) => known.topic === topic && known.partition === partition)) continue
      txn.partitions.push({topic, partition, startOffset: this.effects.highWatermark(topic, partition) ?? 0})
      this.partition(topic, partition).begin(txn.producerId)
      added = true
    }
    if (added || txn.partitions.length === 0) this.transition(txn, 'Ongoing')
  }

  /** AddOffsetsToTxn: the group's offsets will be committed with the transaction. */
  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, group: string): void {
    const txn = this.producer(transactionalId, producerId, producerEpoch)
    const error = beginOrContinue(txn, this.now())
    if (error) throw new KafkaProtocolError(error)
    if (!txn.groups.includes(group)) txn.groups.push(group)
    this.transition(txn, 'Ongoing')
  }

  /** TxnOffsetCommit: offsets held in the transaction, applied to the group only if it commits. */
  txnOffsetCommit(transactionalId: string, producerId: number, producerEpoch: number, offsets: PendingOffset[]): void {
    const txn = this.transactions.get(transactionalId)
    if (!txn) throw new KafkaProtocolError('INVALID_PRODUCER_ID_MAPPING')
    const error = producerError(txn, producerId, producerEpoch)
    if (error) throw new KafkaProtocolError(error === 'PRODUCER_FENCED' ? 'INVALID_PRODUCER_EPOCH' : error)
    if (isPreparing(txn.state)) throw new KafkaProtocolError('CONCURRENT_TRANSACTIONS')
    if (txn.state !== 'Ongoing' || offsets.some((offset) => !txn.groups.includes(offset.group)))
      throw new KafkaProtocolError('INVALID_TXN_STATE', 'AddOffsetsToTxn must add the group to the transaction first')
    for (const offset of offsets) {
      const same = txn.pendingOffsets.findIndex(
        (pending) =>
          pending.group === offset.group && pending.topic === offset.topic && pending.partition === offset.partition,
      )
      if (same >= 0) txn.pendingOffsets[same] = offset
      else txn.pendingOffsets.push(offset)
    }
    this.persist(txn)
  }

  /** Whether an open transaction holds an offset for the group's partition (OffsetFetch requireStable). */
  hasPendingOffset(group: string, topic: string, partition: number): boolean {
    for (const txn of this.transactions.values())
      if (
        (txn.state === 'Ongoing' || isPreparing(txn.state)) &&
        txn.pendingOffsets.some(
          (pending) => pending.group === group && pending.topic === topic && pending.partition === partition,
        )
      )
        return true
    return false
  }

  /** EndTxn: commit or abort the producer's transaction, markers written before it returns. */
  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<void> {
    const txn = this.producer(transactionalId, producerId, producerEpoch)
    const error = endError(txn, commit)
    if (error === 'retry') return
    if (error) throw new KafkaProtocolError(error)
    await this.complete(txn, commit)
  }

  /** Prepare (journaled), write every partition's marker, apply offsets on commit, complete. */
  private async complete(txn: TransactionSnapshot, commit: boolean): Promise<void> {
    this.transition(txn, commit ? 'PrepareCommit' : 'PrepareAbort')
    const marker: MarkerType = commit ? 'commit' : 'abort'
    const durable: Array<Promise<void>> = []
    const aborted: TransactionJournalEntry[] = []
    const producer = {producerId: txn.producerId, producerEpoch: txn.producerEpoch}
    for (const {topic, partition} of txn.partitions) {
      const appended = this.effects.appendMarker(topic, partition, marker, producer)
      const state = this.partition(topic, partition)
      if (!appended) {
        state.end(txn.producerId, 'commit', 0)
        continue
      }
      if (appended.durable) durable.push(appended.durable)
      const entry = state.end(txn.producerId, marker, appended.offset)
      if (entry) aborted.push({type: 'aborted', topic, partition, ...entry})
    }
    await Promise.all(durable)
    if (commit && txn.pendingOffsets.length > 0) this.effects.commitOffsets(txn.pendingOffsets)
    this.transition(txn, commit ? 'CompleteCommit' : 'CompleteAbort', aborted)
  }

  /** Aborts every transaction open longer than its timeout, and fences its producer. */
  async abortTimedOut(): Promise<void> {
    const now = this.now()
    for (const txn of [...this.transactions.values()]) {
      if (txn.state !== 'Ongoing' || now - txn.startedAtMs <= txn.timeoutMs) continue
      this.effects.onAborted?.(txn.transactionalId, `open longer than its timeout of ${txn.timeoutMs} ms`)
      await this.complete(txn, false)
      this.byProducerId.delete(txn.producerId)
      bumpEpoch(txn, () => this.effects.nextProducerId())
      this.index(txn)
      this.persist(txn)
    }
  }

  /**
   * Checks a produced batch against its producer's transaction: a transactional batch must come
   * from the current epoch of an ongoing transaction that holds the partition. Throws the error.
   */
  checkProduce(transactionalId: string | null, topic: string, partition: number, header: BatchHeader): void {
    if (isControl(header.attributes))
      throw new KafkaProtocolError('INVALID_RECORD', 'control batches are written only by the broker')
    if (!isTransactional(header.attributes)) return
    const txn = this.byProducerId.get(header.producerId)
    if (!txn || (transactionalId !== null && txn.transactionalId !== transactionalId))
      throw new KafkaProtocolError('INVALID_PRODUCER_ID_MAPPING')
    if (header.producerEpoch !== txn.producerEpoch) throw new KafkaProtocolError('INVALID_PRODUCER_EPOCH')
    if (txn.state !== 'Ongoing' || !this.partition(topic, partition).isOpen(txn.producerId))
      throw new KafkaProtocolError('INVALID_TXN_STATE', `${topic}-${partition} is not in the producer's transaction`)
  }

  /** A batch was appended: the first one of a transaction there fixes where its range begins. */
  appended(topic: string, partition: number, header: BatchHeader): void {
    if (isTransactional(header.attributes) && !isControl(header.attributes))
      this.partitions.get(partitionKey(topic, partition))?.appended(header.producerId, header.baseOffset)
  }

  lastStableOffset(topic: string, partition: number, highWatermark: number): number {
    return this.partitions.get(partitionKey(topic, partition))?.lastStableOffset(highWatermark) ?? highWatermark
  }

  abortedTransactions(
    topic: string,
    partition: number,
    from: number,
    to: number,
  ): Array<{producerId: number; firstOffset: number}> {
    return this.partitions.get(partitionKey(topic, partition))?.abortedIn(from, to) ?? []
  }

  /** A deleted topic's aborted-transaction index goes with it. */
  forgetTopic(topic: string): void {
    for (const key of [...this.partitions.keys()]) if (key.startsWith(`${topic}\u0000`)) this.partitions.delete(key)
    this.store.append([{type: 'forget-topic', topic}], false)
  }

  /** The transactional id's state, for tests and diagnostics. */
  describe(transactionalId: string): Readonly<TransactionSnapshot> | undefined {
    return this.transactions.get(transactionalId)
  }

  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.store.close()
  }
}
