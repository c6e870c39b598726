public import StreamModel

/// Where a stream's records come from.
public enum StreamSourceKind: String, Sendable, CaseIterable {
    /// Files or stdin given to `streamvault ingest`.
    case file
    /// DynamoDB Streams read by the archiver.
    case dynamodbStreams = "dynamodb-streams"
    /// Kinesis Data Streams for DynamoDB read by the archiver.
    case kinesis
}

/// How duplicates are recognised in a shard.
public enum DedupeRule: String, Sendable {
    /// The shard is an ordered log: anything at or below the checkpoint was already archived.
    case sequence
    /// Records may come in any order (the per-stream default shard, Kinesis for DynamoDB): one copy per eventID.
    case eventID = "event-id"
}

/// A stream as the catalog knows it.
public struct StreamInfo: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var source: StreamSourceKind
    public var arn: String?
    public var region: String?
    public var tableName: String?
    public var viewType: String?
    public var retentionDays: Int
    public var maxBlockSpanMillis: Int64
    public var createdAt: Int64
}

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

/// A segment file.
public struct SegmentInfo: Sendable, Equatable {
    public enum State: String, Sendable { case open, sealed }
    public var id: Int64
    public var streamID: Int64
    public var fileName: String
    public var state: State
    public var committedBytes: Int64
    public var blockCount: Int64
    public var recordCount: Int64
    public var rawBytes: Int64
    public var minTime: Int64?
    public var maxTime: Int64?
    public var sha256: String?
    public var createdAt: Int64
    public var sealedAt: Int64?
}

/// A block: the unit of reading, one shard's records in one zstd frame.
public struct BlockInfo: Sendable, Equatable {
    public var id: Int64
    public var streamID: Int64
    public var segmentID: Int64
    public var shardRowID: Int64
    public var offset: Int64
    public var length: Int64
    public var recordCount: Int64
    public var rawBytes: Int64
    public var firstSeq: SequenceNumber
    public var lastSeq: SequenceNumber
    public var minTime: Int64
    public var maxTime: Int64
    public var format: RecordFormat
}

/// A known hole in the archive: records the source no longer had when the archiver asked.
public struct GapInfo: Sendable, Equatable {
    public var id: Int64
    public var streamID: Int64
    public var shardID: String
    public var afterSequence: SequenceNumber?
    public var detectedAt: Int64
    public var reason: String
}

/// Everything one commit adds, applied in one SQLite transaction after the blocks are fsynced.
public struct BlockCommit: Sendable {
    public struct NewBlock: Sendable {
        public var shardRowID: Int64
        public var offset: Int64
        public var length: Int64
        public var header: BlockHeader
        public init(shardRowID: Int64, offset: Int64, length: Int64, header: BlockHeader) {
            self.shardRowID = shardRowID
            self.offset = offset
            self.length = length
            self.header = header
        }
    }
    public var streamID: Int64
    public var segmentID: Int64
    /// The segment's committed length after these blocks.
    public var committedBytes: Int64
    public var blocks: [NewBlock] = []
    /// New high-water sequence number per shard row.
    public var checkpoints: [Int64: SequenceNumber] = [:]
    /// Event ids to remember, per shard row (event-id dedupe shards only).
    public var eventIDs: [Int64: [[UInt8]]] = [:]

    public init(streamID: Int64, segmentID: Int64, committedBytes: Int64) {
        self.streamID = streamID
        self.segmentID = segmentID
        self.committedBytes = committedBytes
    }
}
