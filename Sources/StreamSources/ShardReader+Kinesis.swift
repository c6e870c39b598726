public import Logging

extension ShardReader where Record == KinesisRecord {
    /// A reader of one Kinesis shard.
    /// - Parameters:
    ///   - api: The Kinesis API (a ``KinesisClient``).
    ///   - stream: The stream's name or ARN.
    ///   - shardID: The shard.
    ///   - checkpoint: The last archived sequence number, or `nil`.
    ///   - batchLimit: `Limit` of each GetRecords (1–10000); default 10000.
    ///   - configuration: Start position (AT_TIMESTAMP works here), idle delay, refresh limit.
    ///   - clock: The clock idle waits sleep on; default `ContinuousClock()`.
    ///   - logger: Where to log.
    /// - Returns: The reader.
    public static func kinesis<C: Clock>(
        api: some KinesisAPI,
        stream: KinesisStreamIdentifier,
        shardID: String,
        checkpoint: String?,
        batchLimit: Int = 10_000,
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
            getIterator: { try await api.getShardIterator(stream: stream, shardID: shardID, position: $0) },
            getPage: { iterator in
                let output = try await api.getRecords(shardIterator: iterator, limit: batchLimit)
                return Page(records: output.records, nextShardIterator: output.nextShardIterator, millisBehindLatest: output.millisBehindLatest)
            },
            sequenceNumber: { $0.sequenceNumber }
        )
    }
}
