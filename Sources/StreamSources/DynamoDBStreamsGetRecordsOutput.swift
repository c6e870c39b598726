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
