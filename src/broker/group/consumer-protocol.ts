// The topics a member of a "consumer" group subscribes to, read from its JoinGroup metadata (the
// client-side ConsumerProtocolSubscription: version INT16, topics [STRING], then fields this broker
// does not need). OffsetDelete refuses the partitions of topics a live member subscribes to.
import {Decoder} from '../protocol/decoder.js'

/** The subscribed topics, or undefined when the metadata is not a subscription this can read. */
export function subscribedTopics(metadata: Buffer): string[] | undefined {
  try {
    const decoder = new Decoder(metadata)
    decoder.readInt16()
    return decoder.readArray((topic) => topic.readString())
  } catch {
    // Not the consumer protocol's layout (or torn): "unknown", which callers treat as subscribed to everything.
    return undefined
  }
}
