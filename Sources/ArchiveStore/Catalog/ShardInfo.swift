public import StreamModel

/// A shard of a stream.
public struct ShardInfo: Sendable, Equatable {
    /// Catalog row id (blocks refer to it).
    public var rowID: Int64
    public var streamID: Int64
    /// The source's shard id (`shardId-00000001700000000000-abcd1234`), or ``ShardInfo/defaultShardID``.
    public var shardID: String
    /// The parent (split) or first parent (merge), if any.
    public var parentShardID: String?
    /// The second parent of a Kinesis merge, if any.
    public var adjacentParentShardID: String?
    public var dedupe: DedupeRule
    /// Highest committed sequence number.
    public var checkpoint: SequenceNumber?
    public var recordCount: Int64
    public var closedAt: Int64?
    public var createdAt: Int64

    /// The shard's ID and parents, for ``ShardLineage/order(_:lineage:)``.
    public var lineage: ShardLineage {
        ShardLineage(shardID: shardID, parentShardID: parentShardID, adjacentParentShardID: adjacentParentShardID)
    }

    /// The shard that records go to when their input does not say which shard they came from.
    public static let defaultShardID = "default"
}
