// Group commit: callers hand in one item each and wait for it, items arriving together are written
// in one batch (one statement, one commit), and at most `maxConcurrent` batches run at once. Under
// load batches grow by themselves; when idle an item is written alone, at once. When a batch fails
// with an error that `isolate` blames on an item (a row the database refuses), each item is written
// again alone, so only the item at fault fails and its neighbours, often other tenants', do not.
export class Batcher<T> {
  private pending: Array<{item: T; resolve: () => void; reject: (error: unknown) => void}> = []
  private active = 0
  private scheduled = false

  constructor(
    private readonly writeBatch: (items: T[]) => Promise<void>,
    private readonly maxBatch = 256,
    private readonly maxConcurrent = 4,
    private readonly isolate: (error: unknown) => boolean = () => false,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({item, resolve, reject})
      if (!this.scheduled && this.active < this.maxConcurrent) {
        this.scheduled = true
        setImmediate(() => {
          this.scheduled = false
          this.flush()
        })
      }
    })
  }

  private flush(): void {
    while (this.pending.length > 0 && this.active < this.maxConcurrent) {
      const batch = this.pending.splice(0, this.maxBatch)
      this.active++
      this.writeBatch(batch.map((entry) => entry.item))
        .then(
          () => batch.forEach((entry) => entry.resolve()),
          async (error: unknown) => {
            if (batch.length === 1 || !this.isolate(error)) return batch.forEach((entry) => entry.reject(error))
            // Row by row, as many at once as batches may run, so one bad row does not flood the pool.
            for (let start = 0; start < batch.length; start += this.maxConcurrent) {
              await Promise.all(
                batch
                  .slice(start, start + this.maxConcurrent)
                  .map((entry) => this.writeBatch([entry.item]).then(entry.resolve, entry.reject)),
              )
            }
          },
        )
        .finally(() => {
          this.active--
          this.flush()
        })
    }
  }
}
