/// Records a shard no longer has, reported by ``ShardReader`` instead of being skipped silently.
public struct ShardGap: Sendable, Hashable {
    /// The shard.
    public var shardID: String
    /// The last sequence number read before the gap, or `nil` if nothing of the shard was read yet.
    public var afterSequenceNumber: String?
    /// Why (AWS's message for `TrimmedDataAccessException`).
    public var reason: String
}
