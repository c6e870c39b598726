import Foundation
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
    struct SequenceRange: Decodable {
        var StartingSequenceNumber: String?
        var EndingSequenceNumber: String?
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
        let sequence = try c.decodeIfPresent(SequenceRange.self, forKey: .SequenceNumberRange)
        startingSequenceNumber = sequence?.StartingSequenceNumber
        endingSequenceNumber = sequence?.EndingSequenceNumber
        let hash = try c.decodeIfPresent(HashRange.self, forKey: .HashKeyRange)
        startingHashKey = hash?.StartingHashKey
        endingHashKey = hash?.EndingHashKey
    }
}

/// A child shard announced by Kinesis `GetRecords` when the shard was closed by a reshard.
public struct KinesisChildShard: Sendable, Hashable, Decodable {
    /// The child's shard ID.
    public var shardID: String
    /// The child's parents.
    public var parentShards: [String]

    /// Creates a child shard entry.
    /// - Parameters:
    ///   - shardID: The child's shard ID.
    ///   - parentShards: Its parents.
    public init(shardID: String, parentShards: [String]) {
        self.shardID = shardID
        self.parentShards = parentShards
    }

    enum CodingKeys: String, CodingKey {
        case shardID = "ShardId"
        case parentShards = "ParentShards"
    }
}

/// The answer of Kinesis `GetRecords`.
public struct KinesisGetRecordsOutput: Sendable, Hashable {
    /// The records, each with its raw bytes.
    public var records: [KinesisRecord]
    /// The iterator for the next call, or `nil` when the shard is closed and drained.
    public var nextShardIterator: String?
    /// How far behind the tip of the stream this answer is, in milliseconds (the lag to export).
    public var millisBehindLatest: Int64?
    /// The children of a closed shard, given on the last page of the shard.
    public var childShards: [KinesisChildShard]

    /// Creates an answer (for fakes and tests).
    /// - Parameters:
    ///   - records: The records.
    ///   - nextShardIterator: The next iterator, or `nil` at the end of a closed shard.
    ///   - millisBehindLatest: The lag.
    ///   - childShards: Children of a closed shard.
    public init(records: [KinesisRecord], nextShardIterator: String?, millisBehindLatest: Int64? = nil, childShards: [KinesisChildShard] = []) {
        self.records = records
        self.nextShardIterator = nextShardIterator
        self.millisBehindLatest = millisBehindLatest
        self.childShards = childShards
    }
    /// Whether the shard is closed and drained (no ``nextShardIterator``).
    public var isShardDrained: Bool { nextShardIterator == nil }
}

/// Names a Kinesis stream by name or ARN.
public struct KinesisStreamIdentifier: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name or ARN as given.
    public var value: String

    /// Identifies a stream.
    /// - Parameter value: A stream name (`orders`) or ARN (`arn:aws:kinesis:…:stream/orders`).
    public init(_ value: String) { self.value = value }

    /// Identifies a stream by a literal name or ARN.
    public init(stringLiteral value: String) { self.value = value }

    /// Whether ``value`` is an ARN.
    public var isARN: Bool { ARN.isARN(value) }
    var streamName: String? { isARN ? nil : value }
    var streamARN: String? { isARN ? value : nil }

    /// The name or ARN.
    public var description: String { value }
}
