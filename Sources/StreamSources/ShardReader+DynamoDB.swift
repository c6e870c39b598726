public import Logging

extension ShardReader where Record == DynamoDBStreamRecord {
    /// A reader of one DynamoDB Streams shard.
    /// - Parameters:
    ///   - api: The DynamoDB Streams API (a ``DynamoDBStreamsClient``).
    ///   - streamARN: The stream.
    ///   - shardID: The shard.
    ///   - checkpoint: The last archived sequence number, or `nil`.
    ///   - batchLimit: `Limit` of each GetRecords (1–1000); default 1000.
    ///   - configuration: Start position, idle delay, refresh limit.
    ///   - clock: The clock idle waits sleep on; default `ContinuousClock()`.
    ///   - logger: Where to log.
    /// - Returns: The reader.
    public static func dynamoDB<C: Clock>(
        api: some DynamoDBStreamsAPI,
        streamARN: String,
        shardID: String,
        checkpoint: String?,
        batchLimit: Int = 1000,
        configuration: Configuration = Configuration(),
        clock: C = ContinuousClock(),
        logger: Logger = Logger(label: "streamvault.shard-reader", factory: { _ in SwiftLogNoOpLogHandler() })
    ) -> ShardReader where C.Duration == Duration {
        ShardReader(
            shardID: shardID,
            checkpoint: checkpoint,
            configuration: configuration,
            clock: clock,
            logger: logger,
            getIterator: { try await api.getShardIterator(streamARN: streamARN, shardID: shardID, position: $0) },
            getPage: { iterator in
                let output = try await api.getRecords(shardIterator: iterator, limit: batchLimit)
                return Page(records: output.records, nextShardIterator: output.nextShardIterator)
            },
            sequenceNumber: { $0.sequenceNumber }
        )
    }
}
