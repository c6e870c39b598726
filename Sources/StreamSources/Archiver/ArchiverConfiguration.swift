public import ArchiveStore

/// How an ``ArchiverService`` reads its stream and commits what it read.
public struct ArchiverConfiguration: Sendable {
    /// The stream's name in the archive (a directory name: the table or Kinesis stream name is the usual choice).
    public var streamName: String
    /// Drain everything readable now, then return (cron jobs, tests). Default `false`: poll until shutdown.
    public var once: Bool
    /// The wait between rounds once every shard is caught up. Default 1 s (AWS asks for about 1 s between empty reads).
    public var pollInterval: Duration
    /// How often the shard list is fetched again to find new shards. Default 60 s. It is also fetched
    /// whenever a shard was drained (its children may be listed by then).
    public var shardRefreshInterval: Duration
    /// Where a shard without a checkpoint starts. Default TRIM_HORIZON; AT_TIMESTAMP (`--start-at`) works for Kinesis only.
    public var startPosition: ShardIteratorPosition
    /// `Limit` of each GetRecords; `nil` for the service maximum (1000 for DynamoDB Streams, 10000 for Kinesis).
    public var batchLimit: Int?
    /// Segments, blocks and automatic commits of the ``StreamWriter``.
    public var writer: WriterConfiguration
    /// Shards read at once; `nil` (default) reads every readable shard at once. Parents are still drained before
    /// their children, and each shard's pages are committed in order.
    public var maxShardReaders: Int?
    /// How often retention runs on the stream (``StreamWriter/prune(now:dryRun:)``, under the archiver's own writer
    /// lock): at start, then at this interval of the service's clock. Default 1 hour; `nil` never.
    public var pruneInterval: Duration?
    /// Whether an outage (an AWS call still failing with a retryable error after the client's retries) is waited out
    /// inside the run (default `true`), or ends the run with an ``ArchiverError`` so that an ``ArchiverSupervisor``
    /// backs off and starts it again (`false`). With ``once`` an outage always ends the run.
    public var retriesOutagesInRun: Bool

    /// Creates a configuration.
    /// - Parameters:
    ///   - streamName: The stream's name in the archive.
    ///   - once: Drain what is readable now, then return; default `false`.
    ///   - pollInterval: The wait between rounds once caught up; default 1 s.
    ///   - shardRefreshInterval: How often shards are listed again; default 60 s.
    ///   - startPosition: Where a shard without a checkpoint starts; default TRIM_HORIZON.
    ///   - batchLimit: Records per GetRecords; default the service maximum.
    ///   - writer: The writer's configuration; default ``WriterConfiguration/init(blockBytes:commitBytes:maxSegmentBytes:maxSegmentAge:compressionLevel:)``.
    ///   - maxShardReaders: Shards read at once; default every readable shard.
    ///   - pruneInterval: How often retention runs; default 1 hour, `nil` never.
    ///   - retriesOutagesInRun: Wait out an outage inside the run; default `true`.
    public init(
        streamName: String,
        once: Bool = false,
        pollInterval: Duration = .seconds(1),
        shardRefreshInterval: Duration = .seconds(60),
        startPosition: ShardIteratorPosition = .trimHorizon,
        batchLimit: Int? = nil,
        writer: WriterConfiguration = WriterConfiguration(),
        maxShardReaders: Int? = nil,
        pruneInterval: Duration? = .seconds(3600),
        retriesOutagesInRun: Bool = true
    ) {
        self.streamName = streamName
        self.once = once
        self.pollInterval = pollInterval
        self.shardRefreshInterval = shardRefreshInterval
        self.startPosition = startPosition
        self.batchLimit = batchLimit
        self.writer = writer
        self.maxShardReaders = maxShardReaders
        self.pruneInterval = pruneInterval
        self.retriesOutagesInRun = retriesOutagesInRun
    }
}
