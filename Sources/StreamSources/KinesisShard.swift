public import StreamModel

/// A Kinesis shard from `ListShards`.
public struct KinesisShard: Sendable, Hashable, Decodable {
    /// The shard ID.
    public var shardID: String
    /// The parent shard (split or merge), if any.
    public var parentShardID: String?
    /// The second parent of a merged shard, if any.
    public var adjacentParentShardID: String?
    /// The first sequence number in the shard.
    public var startingSequenceNumber: String?
    /// The last sequence number, present once the shard is closed.
    public var endingSequenceNumber: String?
    /// The lowest hash key the shard covers (decimal string).
    public var startingHashKey: String?
    /// The highest hash key the shard covers (decimal string).
    public var endingHashKey: String?

    /// Creates a shard description (for fakes and tests).
    /// - Parameters:
    ///   - shardID: The shard ID.
    ///   - parentShardID: The parent, if any.
    ///   - adjacentParentShardID: The merge's second parent, if any.
    ///   - startingSequenceNumber: The first sequence number.
    ///   - endingSequenceNumber: The last sequence number of a closed shard.
    ///   - startingHashKey: The lowest hash key.
    ///   - endingHashKey: The highest hash key.
    public init(
        shardID: String,
        parentShardID: String? = nil,
        adjacentParentShardID: String? = nil,
        startingSequenceNumber: String? = nil,
        endingSequenceNumber: String? = nil,
        startingHashKey: String? = nil,
        endingHashKey: String? = nil
    ) {
        self.shardID = shardID
        self.parentShardID = parentShardID
        self.adjacentParentShardID = adjacentParentShardID
        self.startingSequenceNumber = startingSequenceNumber
        self.endingSequenceNumber = endingSequenceNumber
        self.startingHashKey = startingHashKey
        self.endingHashKey = endingHashKey
    }

    /// Whether the shard is closed.
    public var isClosed: Bool { endingSequenceNumber != nil }

    /// The shard's place in the lineage, for ``ShardPlanner``.
    public var lineage: ShardLineage {
        ShardLineage(shardID: shardID, parentShardID: parentShardID, adjacentParentShardID: adjacentParentShardID)
    }

    enum CodingKeys: String, CodingKey {
        case ShardId, ParentShardId, AdjacentParentShardId, SequenceNumberRange, HashKeyRange
    }
    struct HashRange: Decodable {
        var StartingHashKey: String?
        var EndingHashKey: String?
    }
    /// Decodes the AWS shape.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shardID = try c.decode(String.self, forKey: .ShardId)
        parentShardID = try c.decodeIfPresent(String.self, forKey: .ParentShardId)
        adjacentParentShardID = try c.decodeIfPresent(String.self, forKey: .AdjacentParentShardId)
        let sequence = try c.decodeIfPresent(SequenceNumberRangeShape.self, forKey: .SequenceNumberRange)
        startingSequenceNumber = sequence?.StartingSequenceNumber
        endingSequenceNumber = sequence?.EndingSequenceNumber
        let hash = try c.decodeIfPresent(HashRange.self, forKey: .HashKeyRange)
        startingHashKey = hash?.StartingHashKey
        endingHashKey = hash?.EndingHashKey
    }
}
