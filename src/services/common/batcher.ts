// Group commit: callers hand in one item each and wait for it, items arriving together are written
// in one batch (one statement, one commit), and at most `maxConcurrent` batches run at once. Under
// load batches grow by themselves; when idle an item is written alone, at once.
export class Batcher<T> {
  private pending: Array<{item: T; resolve: () => void; reject: (error: unknown) => void}> = []
  private active = 0
  private scheduled = false

  constructor(
    private readonly writeBatch: (items: T[]) => Promise<void>,
    private readonly maxBatch = 256,
    private readonly maxConcurrent = 4,
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
      this.writeBatch(batch.map((entry) => entry.item)).then(
        () => batch.forEach((entry) => entry.resolve()),
        (error: unknown) => batch.forEach((entry) => entry.reject(error)),
      ).finally(() => {
        this.active--
        this.flush()
      })
    }
  }
}
