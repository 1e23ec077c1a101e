// Committed offsets and group metadata on disk: a JSON-lines journal (`<dataDir>/groups/`),
// replayed at start and then rewritten compacted. With fsync `always`, a commit is on disk before
// it is acked.
import type {FsyncPolicy} from '../log/flush-policy.js'
import {JsonJournal} from '../log/journal.js'
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
  private readonly journal: JsonJournal<JournalEntry>

  constructor(
    dataDir: string,
    private readonly fsync: FsyncPolicy,
  ) {
    this.journal = new JsonJournal(dataDir, 'groups', fsync)
  }

  /** Replays the journal, then compacts it to one line per group and per committed partition. */
  load(): StoredGroups {
    const stored: StoredGroups = {groups: new Map(), offsets: new Map()}
    this.journal.load(
      (entry) => apply(stored, entry),
      (): JournalEntry[] => [
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
      ],
    )
    return stored
  }

  append(entries: JournalEntry[]): void {
    this.journal.append(entries, this.fsync === 'always')
  }

  close(): void {
    this.journal.close()
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
