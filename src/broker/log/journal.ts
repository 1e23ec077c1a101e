// An append-only JSON-lines journal (`<dataDir>/<folder>/journal.jsonl`) for state that is small
// and changes by events: consumer groups and their committed offsets, transactions. At start every
// whole line is replayed in order (a torn last line, from a crash mid-write, is skipped) and the
// journal is rewritten compacted, through a temporary file and a rename, so a crash during the
// rewrite leaves the old journal whole.
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
import type {FsyncPolicy} from './flush-policy.js'

export class JsonJournal<Entry> {
  private fd: number | undefined
  private readonly file: string

  constructor(
    dataDir: string,
    folder: string,
    private readonly fsync: FsyncPolicy,
  ) {
    const dir = path.join(dataDir, folder)
    mkdirSync(dir, {recursive: true})
    this.file = path.join(dir, 'journal.jsonl')
  }

  /** Replays the journal into `replay`, then rewrites it as the entries `compacted()` returns. */
  load(replay: (entry: Entry) => void, compacted: () => Entry[]): void {
    let text = ''
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (error) {
      // No journal yet: the first start on this data directory has nothing to replay. Any other
      // failure must stop the start, or the compaction below would rewrite the state as empty.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue
      let entry: Entry
      try {
        entry = JSON.parse(line) as Entry
      } catch {
        // a torn line from a crash mid-write: skip it, the compacted rewrite drops it
        continue
      }
      replay(entry)
    }
    writeFileSync(`${this.file}.tmp`, lines(compacted()))
    renameSync(`${this.file}.tmp`, this.file)
    this.fd = openSync(this.file, 'a')
  }

  /** Writes the entries; with `sync`, they are on disk (unless the fsync policy is `never`) before it returns. */
  append(entries: Entry[], sync: boolean): void {
    if (this.fd === undefined || entries.length === 0) return
    writeSync(this.fd, lines(entries))
    if (sync && this.fsync !== 'never') fdatasyncSync(this.fd)
  }

  close(): void {
    if (this.fd === undefined) return
    if (this.fsync !== 'never') fdatasyncSync(this.fd)
    closeSync(this.fd)
    this.fd = undefined
  }
}

const lines = (entries: unknown[]) => entries.map((entry) => `${JSON.stringify(entry)}\n`).join('')
