/// What a ``ShardReader`` yields.
public enum ShardReadEvent<Record: Sendable>: Sendable {
    /// A non-empty batch of records, in sequence order. Archive them, commit the checkpoint
    /// (the last record's sequence number), then ask for the next event.
    case records([Record], millisBehindLatest: Int64?)
    /// Records were lost to the stream's retention before they could be read: record the gap.
    /// Reading continues at the oldest record still available (TRIM_HORIZON).
    case gap(ShardGap)
    /// The shard is closed and every record was read: mark it drained so its children may start.
    case drained
}
