// The range of a recording a replay covers: `--from`/`--to` over its events in file order — an
// offset is the 0-based index of an event, a time picks the first event at or after it.
import type {OffsetSpec} from '../kafka/offset-spec.js'
import type {PartitionRange, ReplayRecord} from './replay-record.js'

export function fileRange(
  records: readonly ReplayRecord[],
  from: OffsetSpec,
  to: OffsetSpec | undefined,
): PartitionRange {
  const start = indexOf(records, from)
  return {partition: 0, start, end: Math.max(start, to ? indexOf(records, to) : records.length)}
}

function indexOf(records: readonly ReplayRecord[], spec: OffsetSpec): number {
  switch (spec.kind) {
    case 'earliest':
      return 0
    case 'latest':
      return records.length
    case 'offset':
      return Math.min(spec.offset, records.length)
    case 'timestamp': {
      const index = records.findIndex((record) => record.timestamp >= spec.timestamp)
      return index < 0 ? records.length : index
    }
  }
}
