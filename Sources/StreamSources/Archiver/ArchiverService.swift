import AWSCore
public import ArchiveStore
import Foundation
public import Logging
public import ServiceLifecycle
import StreamModel
import Synchronization

/// What one ``ArchiverService`` run archived.
public struct ArchiveSummary: Sendable, Equatable, CustomStringConvertible {
    /// The stream's name in the archive.
    public var stream: String = ""
    /// Records committed.
    public var records = 0
    /// Their bytes as received.
    public var bytes = 0
    /// Records dropped as already archived (Kinesis redeliveries, re-reads after a restart).
    public var duplicates = 0
    /// Gaps recorded (records lost to retention before they were read).
    public var gaps = 0
    /// Shards found closed and read to their end in this run.
    public var shardsDrained = 0
    /// Shards read from.
    public var shardsRead = 0
    /// Commits (fsync + catalog transaction).
    public var commits = 0

    public init() {}

    public var description: String {
        "archived \(records) records (\(bytes) bytes) into '\(stream)' from \(shardsRead) shard(s): \(duplicates) duplicates dropped, "
            + "\(gaps) gaps recorded, \(shardsDrained) shard(s) drained, \(commits) commits"
    }
}

/// Reads a DynamoDB stream or a Kinesis Data Streams for DynamoDB stream before its records expire and
/// writes them into the archive, as a swift-service-lifecycle `Service`.
///
/// - Shards are listed (DescribeStream / ListShards, all pages) and read parent before child
///   (``ShardPlanner``): a child starts once its parent is drained, or gone from the stream.
/// - Each shard resumes `AFTER_SEQUENCE_NUMBER` its checkpoint in the catalog, else at
///   ``ArchiverConfiguration/startPosition`` (TRIM_HORIZON).
/// - Every GetRecords page is committed (fsync + one catalog transaction) before the next is requested:
///   a record is acknowledged, and its checkpoint advanced, only then.
/// - DynamoDB Streams records are stored as AWS sent them (format `native`, duplicates recognised by
///   sequence number); Kinesis records are stored as the GetRecords item (format `kinesis-record`,
///   keeping SequenceNumber, PartitionKey, ApproximateArrivalTimestamp and Data), one copy per eventID.
/// - Trimmed data becomes a gap row in the catalog (logged at warning, counted); closed shards read to
///   their end are marked closed.
/// - Readable shards are read at once, each by its own task (at most ``ArchiverConfiguration/maxShardReaders``),
///   each until it is caught up; then the service waits ``ArchiverConfiguration/pollInterval``. One writer per
///   stream: pages of several shards that arrive together share a commit. With ``ArchiverConfiguration/once`` it returns when nothing
///   more is readable. On graceful shutdown it stops taking pages, commits and returns.
/// - With ``ArchiverLeases`` (a lease table), several services on several machines share the stream's shards:
///   each reads only the shards it holds a lease on (``LeaseCoordinator``), starts them after the lease's
///   checkpoint, moves that checkpoint after each commit, and releases its leases after the last commit.
///
/// ```swift
/// let archiver = ArchiverService(source: .dynamoDBTable("Orders", dynamoDB: ddb, streams: streams),
///                                configuration: ArchiverConfiguration(streamName: "Orders"),
///                                layout: layout, catalog: catalog, logger: logger)
/// try await ServiceGroup(services: [archiver], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
/// ```
public struct ArchiverService: Service {
    /// The configuration.
    public let configuration: ArchiverConfiguration
    let source: ArchiverSource
    let layout: StorageLayout
    let catalog: Catalog
    let metrics: ArchiverMetrics
    let logger: Logger
    let wallClock: WallClock
    let sleep: @Sendable (Duration) async throws -> Void
    let elapsed: @Sendable () -> Duration
    let report: @Sendable (ArchiveSummary) -> Void
    /// `var`: an ``ArchiverSupervisor`` watches the events of the archivers it runs.
    var events: @Sendable (ArchiverEvent) -> Void
    let leases: ArchiverLeases?

    /// Creates the service.
    /// - Parameters:
    ///   - source: The stream to read.
    ///   - configuration: Stream name in the archive, once/poll, start position, writer settings.
    ///   - layout: The storage directory.
    ///   - catalog: The catalog in it.
    ///   - metrics: Metric objects; default ones made with the bootstrapped factory.
    ///   - clock: What waits sleep on; default `ContinuousClock()`.
    ///   - wallClock: Event-time lag and catalog timestamps; default the system clock.
    ///   - logger: Where to log (`sv.stream`, `sv.shard.id` metadata).
    ///   - report: Called with the summary when a run ends (also after an error, with what was committed).
    ///   - events: Called with what an operator may want to see (gaps, drained shards, an outage); the service
    ///     itself logs at debug and trace only. Default: ignored.
    ///   - leases: Share the stream's shards with other nodes through a lease table: read only the shards this
    ///     node holds a lease on. Default `nil`: read every shard.
    public init<C: Clock>(
        source: ArchiverSource,
        configuration: ArchiverConfiguration,
        layout: StorageLayout,
        catalog: Catalog,
        metrics: ArchiverMetrics? = nil,
        clock: C = ContinuousClock(),
        wallClock: WallClock = .system,
        logger: Logger = Logger(label: "streamvault.archiver", factory: { _ in SwiftLogNoOpLogHandler() }),
        report: @escaping @Sendable (ArchiveSummary) -> Void = { _ in },
        events: @escaping @Sendable (ArchiverEvent) -> Void = { _ in },
        leases: ArchiverLeases? = nil
    ) where C.Duration == Duration {
        self.source = source
        self.configuration = configuration
        self.layout = layout
        self.catalog = catalog
        self.metrics = metrics ?? ArchiverMetrics(stream: configuration.streamName)
        self.wallClock = wallClock
        self.sleep = { try await clock.sleep(for: $0) }
        let start = clock.now
        self.elapsed = { start.duration(to: clock.now) }
        var logger = logger
        logger[metadataKey: "sv.stream"] = "\(configuration.streamName)"
        self.logger = logger
        self.report = report
        self.events = events
        self.leases = leases
    }

    /// Archives until graceful shutdown (or, with ``ArchiverConfiguration/once``, until caught up).
    /// - Throws: ``ArchiverError`` for what a retry cannot fix; ``ArchiveError`` from the store.
    public func run() async throws {
        let summary = try await archive()
        logger.debug("Archiver stopped", metadata: ["sv.records": "\(summary.records)", "sv.gaps": "\(summary.gaps)"])
    }

    /// Does the work of ``run()`` and returns what it archived.
    /// - Returns: The run's summary.
    /// - Throws: As ``run()``.
    public func archive() async throws -> ArchiveSummary {
        do {
            return try await archiveStream()
        } catch {
            if !(error is CancellationError) { metrics.streamFailed() }
            throw error
        }
    }

    private func archiveStream() async throws -> ArchiveSummary {
        switch source.kind {
        case .dynamoDB(let api, let resolveARN, let table):
            let found = try await untilFoundOrStopped(action: "looking up the stream of \(table ?? "the table")") {
                let arn = try await resolveARN()
                return (arn, try await api.describeStream(streamARN: arn, pageSize: 100))
            }
            guard let (arn, description) = found else { return stoppedBeforeStart() }
            if description.streamStatus == "DISABLED" {
                logger.debug("The stream is disabled", metadata: ["sv.stream.arn": "\(arn)"])
                events(.streamDisabled(streamARN: arn))
            }
            let limit = min(max(configuration.batchLimit ?? 1000, 1), 1000)
            let wall = wallClock
            let adapter = ArchiverAdapter<DynamoDBStreamRecord>(
                kind: .dynamodbStreams,
                dedupe: .sequence,
                arn: arn,
                tableName: description.tableName ?? table,
                viewType: description.streamViewType,
                format: .native,
                usesMillisBehindLatest: false,
                // DynamoDB Streams documents no per-shard call rate (only: at most two readers per shard).
                minimumCallInterval: .zero,
                listShards: { try await api.describeStream(streamARN: arn, pageSize: 100).shards.map(\.lineage) },
                getIterator: { shard, position in try await api.getShardIterator(streamARN: arn, shardID: shard, position: position) },
                getPage: { iterator in
                    let output = try await api.getRecords(shardIterator: iterator, limit: limit)
                    return .init(records: output.records, nextShardIterator: output.nextShardIterator)
                },
                sequenceNumber: { $0.sequenceNumber },
                lagMillis: { records in records.last.map { wall.nowMillis() &- $0.eventTimeMillis } },
                append: Self.appendNative,
                initialShards: description.shards.map(\.lineage)
            )
            return try await ArchiverRun(service: self, adapter: adapter).run()
        case .kinesis(let api, let stream):
            let limit = min(max(configuration.batchLimit ?? 10_000, 1), 10_000)
            let adapter = ArchiverAdapter<KinesisRecord>(
                kind: .kinesis,
                dedupe: .eventID,
                arn: stream.isARN ? stream.value : nil,
                tableName: nil,
                viewType: nil,
                format: .kinesisRecord,
                usesMillisBehindLatest: true,
                // Kinesis: five GetRecords per second per shard; more are throttled.
                minimumCallInterval: .milliseconds(200),
                listShards: { try await api.listShards(stream: stream, pageSize: 1000).map(\.lineage) },
                getIterator: { shard, position in try await api.getShardIterator(stream: stream, shardID: shard, position: position) },
                getPage: { iterator in
                    let output = try await api.getRecords(shardIterator: iterator, limit: limit)
                    return .init(records: output.records, nextShardIterator: output.nextShardIterator, millisBehindLatest: output.millisBehindLatest)
                },
                sequenceNumber: { $0.sequenceNumber },
                lagMillis: { _ in nil },
                append: Self.appendKinesis
            )
            return try await ArchiverRun(service: self, adapter: adapter).run()
        }
    }

    /// Whether graceful shutdown (SIGTERM) or cancellation asked the service to stop.
    static var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// Runs a startup call (finding the stream), cancelled at graceful shutdown. Without
    /// ``ArchiverConfiguration/once``, retryable failures (an outage) are retried like the reads are, so a
    /// service rides out an outage instead of exiting.
    /// - Returns: The call's result, or `nil` when the service was asked to stop first.
    private func untilFoundOrStopped<T: Sendable>(action: String, _ call: @escaping @Sendable () async throws -> T) async throws -> T? {
        var failures = 0
        while !Self.isStopping {
            do {
                return try await cancelWhenGracefulShutdown(call)
            } catch is CancellationError where Self.isStopping {
                return nil
            } catch let error as AWSError {
                metrics.error(code: error.code.description)
                guard error.isRetryable && !configuration.once && configuration.retriesOutagesInRun else {
                    throw ArchiverError.permanent(error, stream: configuration.streamName, action: action)
                }
                failures += 1
                metrics.streamFailed()
                logger.debug("Starting failed after retries; trying again", metadata: ["sv.error": "\(error)", "sv.failures": "\(failures)"])
                events(.retrying(error, failures: failures, action: action))
                let delay = configuration.pollInterval * min(failures * failures, 60)
                try? await cancelWhenGracefulShutdown { [sleep] in try await sleep(delay) }
            }
        }
        return nil
    }

    /// The summary of a run stopped before it could read anything.
    private func stoppedBeforeStart() -> ArchiveSummary {
        var summary = ArchiveSummary()
        summary.stream = configuration.streamName
        report(summary)
        return summary
    }

    /// Appends a DynamoDB Streams record as AWS sent it, with the facts read when its page was scanned.
    static func appendNative(_ record: DynamoDBStreamRecord, to writer: StreamWriter, shard: String) throws -> StreamWriter.AppendResult {
        try record.withLine { line, facts in
            try writer.append(
                line,
                shard: shard,
                sequence: facts.sequenceNumber,
                eventID: facts.eventID,
                eventTime: facts.eventTimeMillis,
                format: .native
            )
        }
    }

    /// Appends a Kinesis record (the GetRecords item) with the eventID and event time of the change in its Data.
    static func appendKinesis(_ record: KinesisRecord, to writer: StreamWriter, shard: String) throws -> StreamWriter.AppendResult {
        try record.withLine { line, fields in
            let change: (eventID: [UInt8], eventTimeMillis: Int64)
            switch fields.change {
            case .success(let found): change = found
            case .failure(let error):
                throw ArchiverError(
                    code: .invalidRecord,
                    message: "Kinesis record \(record.sequenceNumber) of shard \(shard) does not carry a Kinesis Data Streams for DynamoDB "
                        + "change record (\(error)); nothing after it was archived. Is this stream the destination of a table's Kinesis streaming?"
                )
            }
            return try change.eventID.withUnsafeBufferPointer { id in
                try writer.append(
                    line,
                    shard: shard,
                    sequence: fields.item.sequenceNumber,
                    eventIDBytes: id,
                    eventTime: change.eventTimeMillis,
                    format: .kinesisRecord
                )
            }
        }
    }
}

/// The source-specific parts of a run.
struct ArchiverAdapter<Record: Sendable> {
    let kind: StreamSourceKind
    let dedupe: DedupeRule
    let arn: String?
    let tableName: String?
    let viewType: String?
    let format: RecordFormat
    let usesMillisBehindLatest: Bool
    /// The least time between two GetRecords calls to one shard, as the service allows.
    let minimumCallInterval: Duration
    let listShards: @Sendable () async throws -> [ShardLineage]
    let getIterator: @Sendable (String, ShardIteratorPosition) async throws -> String
    let getPage: @Sendable (String) async throws -> ShardReader<Record>.Page
    let sequenceNumber: @Sendable (Record) -> String
    let lagMillis: @Sendable ([Record]) -> Int64?
    let append: @Sendable (Record, StreamWriter, String) throws -> StreamWriter.AppendResult
    /// Shards already listed while starting (DescribeStream), used for the first round.
    var initialShards: [ShardLineage]? = nil
}
