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
