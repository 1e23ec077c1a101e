// Committed offsets and group metadata on disk: an append-only JSON-lines journal
// (`<dataDir>/groups/journal.jsonl`), replayed at start and then rewritten compacted. A torn last
// line (a crash mid-write) is ignored. With fsync `always`, a commit is on disk before it is acked.
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
import type {GroupSnapshot} from './consumer-group.js'

export interface CommittedOffset {
  offset: number
  metadata: string | null
  commitTimestamp: number
}

type JournalEntry =
  | {
      type: 'offset'
      group: string
      topic: string
      partition: number
      offset: number
      metadata: string | null
      ts: number
    }
  | ({type: 'group'} & GroupSnapshot)
  | {type: 'forget-topic'; topic: string}
  | {type: 'forget-group'; group: string}
  | {type: 'forget-offset'; group: string; topic: string; partition: number}

export interface StoredGroups {
  groups: Map<string, GroupSnapshot>
  offsets: Map<string, Map<string, CommittedOffset>>
}

export const offsetKey = (topic: string, partition: number) => `${topic}\u0000${partition}`
export const splitOffsetKey = (key: string): [string, number] => {
  const at = key.lastIndexOf('\u0000')
  return [key.slice(0, at), Number(key.slice(at + 1))]
}

export class GroupStore {
  private fd: number | undefined
  private readonly file: string

  constructor(
    dataDir: string,
    private readonly fsync: FsyncPolicy,
  ) {
    const dir = path.join(dataDir, 'groups')
    mkdirSync(dir, {recursive: true})
    this.file = path.join(dir, 'journal.jsonl')
  }

  /** Replays the journal, then compacts it to one line per group and per committed partition. */
  load(): StoredGroups {
    const stored: StoredGroups = {groups: new Map(), offsets: new Map()}
    let text = ''
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (error) {
      // No journal yet: the first start on this data directory has no groups to replay. Any other
      // failure must stop the start, or the compaction below would rewrite the offsets as empty.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue
      let entry: JournalEntry
      try {
        entry = JSON.parse(line) as JournalEntry
      } catch {
        // a torn line from a crash mid-write (see above): skip it, the compacted rewrite drops it
        continue
      }
      apply(stored, entry)
    }
    const compacted: JournalEntry[] = [
      ...[...stored.groups.values()].map((snapshot) => ({type: 'group' as const, ...snapshot})),
      ...[...stored.offsets].flatMap(([group, offsets]) =>
        [...offsets].map(([key, committed]) => {
          const [topic, partition] = splitOffsetKey(key)
          return {
            type: 'offset' as const,
            group,
            topic,
            partition,
            offset: committed.offset,
            metadata: committed.metadata,
            ts: committed.commitTimestamp,
          }
        }),
      ),
    ]
    writeFileSync(`${this.file}.tmp`, compacted.map((entry) => `${JSON.stringify(entry)}\n`).join(''))
    renameSync(`${this.file}.tmp`, this.file)
    this.fd = openSync(this.file, 'a')
    return stored
  }

  append(entries: JournalEntry[]): void {
    if (this.fd === undefined || entries.length === 0) return
    writeSync(this.fd, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''))
    if (this.fsync === 'always') fdatasyncSync(this.fd)
  }

  close(): void {
    if (this.fd === undefined) return
    if (this.fsync !== 'never') fdatasyncSync(this.fd)
    closeSync(this.fd)
    this.fd = undefined
  }
}

function apply(stored: StoredGroups, entry: JournalEntry): void {
  switch (entry.type) {
    case 'offset': {
      let offsets = stored.offsets.get(entry.group)
      if (!offsets) stored.offsets.set(entry.group, (offsets = new Map()))
      offsets.set(offsetKey(entry.topic, entry.partition), {
        offset: entry.offset,
        metadata: entry.metadata,
        commitTimestamp: entry.ts,
      })
      break
    }
    case 'group':
      stored.groups.set(entry.groupId, {
        groupId: entry.groupId,
        protocolType: entry.protocolType,
        generationId: entry.generationId,
      })
      break
    case 'forget-topic':
      for (const offsets of stored.offsets.values())
        for (const key of [...offsets.keys()]) if (splitOffsetKey(key)[0] === entry.topic) offsets.delete(key)
      break
    case 'forget-offset':
      stored.offsets.get(entry.group)?.delete(offsetKey(entry.topic, entry.partition))
      break
    case 'forget-group':
      stored.groups.delete(entry.group)
      stored.offsets.delete(entry.group)
      break
  }
}
