import Foundation
public import StreamModel

/// A stream listed by DynamoDB Streams `ListStreams`.
public struct DynamoDBStreamSummary: Sendable, Hashable, Codable {
    /// The stream's ARN.
    public var streamARN: String
    /// The table the stream belongs to.
    public var tableName: String?
    /// The stream's label (a timestamp), which tells apart successive streams of one table.
    public var streamLabel: String?

    enum CodingKeys: String, CodingKey {
        case streamARN = "StreamArn"
        case tableName = "TableName"
        case streamLabel = "StreamLabel"
    }
}

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
    struct Range: Codable {
        var StartingSequenceNumber: String?
        var EndingSequenceNumber: String?
    }
    /// Decodes the AWS shape (`ShardId`, `ParentShardId`, `SequenceNumberRange`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shardID = try c.decode(String.self, forKey: .shardID)
        parentShardID = try c.decodeIfPresent(String.self, forKey: .parentShardID)
        let range = try c.decodeIfPresent(Range.self, forKey: .range)
        startingSequenceNumber = range?.StartingSequenceNumber
        endingSequenceNumber = range?.EndingSequenceNumber
    }
    /// Encodes the AWS shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shardID, forKey: .shardID)
        try c.encodeIfPresent(parentShardID, forKey: .parentShardID)
        try c.encode(Range(StartingSequenceNumber: startingSequenceNumber, EndingSequenceNumber: endingSequenceNumber), forKey: .range)
    }
}

/// A DynamoDB stream as `DescribeStream` describes it, with every shard (all pages).
public struct DynamoDBStreamDescription: Sendable, Hashable {
    /// The stream's ARN.
    public var streamARN: String
    /// The stream's label.
    public var streamLabel: String?
    /// `ENABLING`, `ENABLED`, `DISABLING` or `DISABLED`.
    public var streamStatus: String?
    /// `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or `NEW_AND_OLD_IMAGES`.
    public var streamViewType: String?
    /// The table's name.
    public var tableName: String?
    /// Every shard, in the order AWS listed them.
    public var shards: [DynamoDBStreamShard]

    /// Creates a description (for fakes and tests).
    /// - Parameters:
    ///   - streamARN: The stream's ARN.
    ///   - streamLabel: Its label.
    ///   - streamStatus: Its status.
    ///   - streamViewType: Its view type.
    ///   - tableName: Its table.
    ///   - shards: Its shards.
    public init(
        streamARN: String,
        streamLabel: String? = nil,
        streamStatus: String? = nil,
        streamViewType: String? = nil,
        tableName: String? = nil,
        shards: [DynamoDBStreamShard]
    ) {
        self.streamARN = streamARN
        self.streamLabel = streamLabel
        self.streamStatus = streamStatus
        self.streamViewType = streamViewType
        self.tableName = tableName
        self.shards = shards
    }
}

/// The answer of DynamoDB Streams `GetRecords`.
public struct DynamoDBStreamsGetRecordsOutput: Sendable, Hashable {
    /// The records, in sequence order, each with its raw bytes.
    public var records: [DynamoDBStreamRecord]
    /// The iterator for the next call, or `nil` when the shard is closed and every record was read.
    public var nextShardIterator: String?

    /// Creates an answer (for fakes and tests).
    /// - Parameters:
    ///   - records: The records.
    ///   - nextShardIterator: The next iterator, or `nil` at the end of a closed shard.
    public init(records: [DynamoDBStreamRecord], nextShardIterator: String?) {
        self.records = records
        self.nextShardIterator = nextShardIterator
    }
    /// Whether the shard is closed and drained (no ``nextShardIterator``).
    public var isShardDrained: Bool { nextShardIterator == nil }
}
