public import StreamModel

/// A shard of a DynamoDB stream, from `DescribeStream`.
public struct DynamoDBStreamShard: Sendable, Hashable, Codable {
    /// The shard ID.
    public var shardID: String
    /// The parent shard, whose records come before this shard's. `nil` for a first-generation shard.
    public var parentShardID: String?
    /// The first sequence number in the shard, if known.
    public var startingSequenceNumber: String?
    /// The last sequence number, present once the shard is closed (no more records will be added).
    public var endingSequenceNumber: String?

    /// Creates a shard description.
    /// - Parameters:
    ///   - shardID: The shard ID.
    ///   - parentShardID: The parent's ID, if any.
    ///   - startingSequenceNumber: The first sequence number, if known.
    ///   - endingSequenceNumber: The last sequence number of a closed shard.
    public init(shardID: String, parentShardID: String? = nil, startingSequenceNumber: String? = nil, endingSequenceNumber: String? = nil) {
        self.shardID = shardID
        self.parentShardID = parentShardID
        self.startingSequenceNumber = startingSequenceNumber
        self.endingSequenceNumber = endingSequenceNumber
    }

    /// Whether the shard is closed (has an ending sequence number).
    public var isClosed: Bool { endingSequenceNumber != nil }

    /// The shard's place in the lineage, for ``ShardPlanner``.
    public var lineage: ShardLineage { ShardLineage(shardID: shardID, parentShardID: parentShardID) }

    enum CodingKeys: String, CodingKey {
        case shardID = "ShardId"
        case parentShardID = "ParentShardId"
        case range = "SequenceNumberRange"
    }
    /// Decodes the AWS shape (`ShardId`, `ParentShardId`, `SequenceNumberRange`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shardID = try c.decode(String.self, forKey: .shardID)
        parentShardID = try c.decodeIfPresent(String.self, forKey: .parentShardID)
        let range = try c.decodeIfPresent(SequenceNumberRangeShape.self, forKey: .range)
        startingSequenceNumber = range?.StartingSequenceNumber
        endingSequenceNumber = range?.EndingSequenceNumber
    }
    /// Encodes the AWS shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shardID, forKey: .shardID)
        try c.encodeIfPresent(parentShardID, forKey: .parentShardID)
        try c.encode(
            SequenceNumberRangeShape(StartingSequenceNumber: startingSequenceNumber, EndingSequenceNumber: endingSequenceNumber),
            forKey: .range
        )
    }
}
