// A binary min-heap keyed by time: the retries and status polls waiting for their moment.

export class TimeHeap<T extends {at: number}> {
  private readonly items: T[] = []

  get size(): number {
    return this.items.length
  }

  /** The earliest time, or Infinity when empty. */
  peekAt(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : this.items[0]!.at
  }

  push(item: T): void {
    const items = this.items
    items.push(item)
    let index = items.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (items[parent]!.at <= item.at) break
      items[index] = items[parent]!
      index = parent
    }
    items[index] = item
  }

  pop(): T | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (items.length === 0 || last === undefined) return top
    let index = 0
    for (;;) {
      const left = 2 * index + 1
      if (left >= items.length) break
      const right = left + 1
      const child = right < items.length && items[right]!.at < items[left]!.at ? right : left
      if (items[child]!.at >= last.at) break
      items[index] = items[child]!
      index = child
    }
    items[index] = last
    return top
  }

  clear(): void {
    this.items.length = 0
  }
}
