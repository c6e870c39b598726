import AWSCore
import ArchiveStore
import CoreMetrics
import Logging
import ServiceLifecycle
import StreamModel
import Synchronization

/// Thrown by a shard's idle wait once the shard has nothing more to give right now.
struct ShardCaughtUp: Error {}

/// What the reads of one shard have seen lately, shared by its page fetcher and its idle clock.
final class ShardIdleState: Sendable {
    private let state = Mutex<(emptyPages: Int, millisBehindLatest: Int64?)>((0, nil))

    func page(isEmpty: Bool, millisBehindLatest: Int64?) {
        state.withLock { $0 = (isEmpty ? $0.emptyPages + 1 : 0, millisBehindLatest) }
    }

    /// Caught up: Kinesis says it is not behind, or two empty pages in a row (DynamoDB Streams may return an
    /// empty page before the part of a shard that holds records, so one is not proof).
    var isCaughtUp: Bool {
        state.withLock { state in
            if let behind = state.millisBehindLatest { return behind <= 0 || state.emptyPages >= 3 }
            return state.emptyPages >= 2
        }
    }
}

/// The clock a ``ShardReader`` idles on inside the archiver: instead of waiting out a caught-up shard,
/// it ends the shard's turn (the archiver goes on with the next shard and comes back next round).
struct ShardTurnClock: Clock {
    typealias Instant = ContinuousClock.Instant
    typealias Duration = Swift.Duration
    let state: ShardIdleState
    let shortWait: @Sendable () async throws -> Void

    var now: Instant { ContinuousClock().now }
    var minimumResolution: Swift.Duration { ContinuousClock().minimumResolution }

    func sleep(until deadline: Instant, tolerance: Swift.Duration?) async throws {
        if state.isCaughtUp { throw ShardCaughtUp() }
        try await shortWait()
    }
}

/// One run of an ``ArchiverService``: owns the stream's writer, an ``AsyncStreamWriter`` so that fsync, catalog
/// transactions and compression run on the writer's own thread, never on the cooperative pool.
final class ArchiverRun<Record: Sendable> {
    let service: ArchiverService
    let adapter: ArchiverAdapter<Record>
    var summary = ArchiveSummary()
    private var logger: Logger
    private var readers: [String: ShardReader<Record>.Iterator] = [:]
    private var shardInfo: [String: ShardInfo] = [:]
    private var lastStatistics: (records: Int, bytes: Int, duplicates: Int, commits: Int) = (0, 0, 0, 0)
    private var readShards: Set<String> = []
    /// The last committed sequence number of each shard read in this run (newer than the catalog's at open).
    private var checkpoints: [String: String] = [:]

    init(service: ArchiverService, adapter: ArchiverAdapter<Record>) {
        self.service = service
        self.adapter = adapter
        self.logger = service.logger
        summary.stream = service.configuration.streamName
    }

    private var configuration: ArchiverConfiguration { service.configuration }
    private var shuttingDown: Bool { ArchiverService.isStopping }

    func run() async throws -> ArchiveSummary {
        let writer = try await AsyncStreamWriter.open(
            layout: service.layout,
            catalog: service.catalog,
            streamName: configuration.streamName,
            source: adapter.kind,
            arn: adapter.arn,
            region: nil,
            tableName: adapter.tableName,
            viewType: adapter.viewType,
            configuration: configuration.writer,
            clock: service.wallClock,
            logger: logger
        )
        do {
            do {
                try await loop(writer)
            } catch is CancellationError where shuttingDown {
                // Shutdown cancelled a call in flight (a hanging request, a backoff sleep): stop like after a page.
            }
            try await commit(writer)
        } catch {
            // Everything appended before the failure is real data: make it durable before reporting.
            _ = try? await commit(writer)
            summary.shardsRead = readShards.count
            service.report(summary)
            throw error
        }
        summary.shardsRead = readShards.count
        service.report(summary)
        return summary
    }

    private func loop(_ writer: AsyncStreamWriter) async throws {
        var drained = Set(try await writer.shards().filter { $0.closedAt != nil }.map(\.shardID))
        var shards: [ShardLineage] = []
        var initialShards = adapter.initialShards
        var listedAt: Duration?
        var needsListing = true
        var failures = 0
        var pruneSchedule = PruneSchedule(interval: configuration.pruneInterval)
        while !shuttingDown {
            var progressed = false
            if pruneSchedule.isDue(at: service.elapsed()) {
                // Retention runs on this writer: the stream's lock is ours, so a separate pruner could not take it.
                do {
                    let report = try await writer.prune(now: service.wallClock.nowMillis())
                    if !report.deleted.isEmpty { service.events(.pruned(report)) }
                } catch let error as ArchiveError {
                    logger.debug("Retention failed", metadata: ["sv.error": "\(error)"])
                    service.events(.pruneFailed(error))
                }
            }
            do {
                if needsListing || listedAt.map({ service.elapsed() - $0 >= configuration.shardRefreshInterval }) ?? true {
                    if let initial = initialShards.take() {
                        shards = initial
                    } else {
                        shards = try await cancelWhenGracefulShutdown(adapter.listShards)
                    }
                    listedAt = service.elapsed()
                    needsListing = false
                    logger.debug("Listed shards", metadata: ["sv.shards": "\(shards.count)"])
                }
                let lineage = Dictionary(shards.map { ($0.shardID, $0) }, uniquingKeysWith: { first, _ in first })
                let plan = ShardPlanner.plan(shards: shards, drained: drained)
                for shardID in plan.readable where !shuttingDown {
                    let outcome = try await readTurn(lineage[shardID] ?? ShardLineage(shardID: shardID), writer: writer)
                    if outcome == .drained {
                        drained.insert(shardID)
                        summary.shardsDrained += 1
                        progressed = true
                        needsListing = true
                    }
                }
                failures = 0
            } catch let error as AWSError {
                service.metrics.error(code: error.code.description)
                try await commit(writer)
                guard error.isRetryable && !configuration.once else {
                    throw ArchiverError.permanent(error, stream: configuration.streamName, action: "reading")
                }
                // The client already retried with backoff; keep the service up and try again later from the checkpoints.
                failures += 1
                readers.removeAll()
                logger.debug("Reading failed after retries; trying again", metadata: ["sv.error": "\(error)", "sv.failures": "\(failures)"])
                service.events(.retrying(error, failures: failures, action: "reading"))
                let delay = configuration.pollInterval * min(failures * failures, 60)
                try? await cancelWhenGracefulShutdown { [sleep = service.sleep] in try await sleep(delay) }
                continue
            }
            if configuration.once {
                if !progressed { return }
                continue
            }
            if !progressed {
                try? await cancelWhenGracefulShutdown { [sleep = service.sleep, poll = configuration.pollInterval] in try await sleep(poll) }
            }
        }
    }

    private enum TurnOutcome { case caughtUp, drained, stopped }

    /// Reads one shard until it is caught up, drained, or the service shuts down; commits every page.
    private func readTurn(_ shard: ShardLineage, writer: AsyncStreamWriter) async throws -> TurnOutcome {
        let shardID = shard.shardID
        var shardLogger = logger
        shardLogger[metadataKey: "sv.shard.id"] = "\(shardID)"
        let info: ShardInfo
        if let known = shardInfo[shardID] {
            info = known
        } else {
            info = try await writer.openShard(
                shardID,
                parentShardID: shard.parentShardID,
                adjacentParentShardID: shard.adjacentParentShardID,
                dedupe: adapter.dedupe
            )
            shardInfo[shardID] = info
        }
        readShards.insert(shardID)
        var iterator =
            readers.removeValue(forKey: shardID)
            ?? makeReader(shardID, checkpoint: checkpoints[shardID] ?? info.checkpoint?.text, logger: shardLogger).makeAsyncIterator()
        while !shuttingDown {
            let event: ShardReadEvent<Record>?
            do {
                event = try await iterator.next()
            } catch is ShardCaughtUp {
                readers[shardID] = iterator
                return .caughtUp
            }
            guard let event else { return .drained }
            switch event {
            case .records(let records, _):
                // One hop to the writer's thread per page, not per record.
                let append = adapter.append
                try await writer.append(records) { record, writer in try append(record, writer, shardID) }
                try await commit(writer)
                if let last = records.last { checkpoints[shardID] = adapter.sequenceNumber(last) }
                shardLogger.trace(
                    "Archived a page",
                    metadata: ["sv.records": "\(records.count)", "sv.checkpoint": "\(records.last.map(adapter.sequenceNumber) ?? "")"]
                )
            case .gap(let gap):
                try await commit(writer)
                try await writer.recordGap(
                    shardRowID: info.rowID,
                    afterSequence: gap.afterSequenceNumber.flatMap { SequenceNumber($0) },
                    reason: gap.reason,
                    now: service.wallClock.nowMillis()
                )
                summary.gaps += 1
                service.metrics.gap(shard: shardID)
                shardLogger.debug("Recorded a gap", metadata: ["sv.after": "\(gap.afterSequenceNumber ?? "start of shard")"])
                service.events(.gapRecorded(gap))
            case .drained:
                try await commit(writer)
                try await writer.markShardClosed(rowID: info.rowID, at: service.wallClock.nowMillis())
                service.metrics.lag(shard: shardID, millis: 0)
                shardLogger.debug("Shard closed and read to its end")
                service.events(.shardDrained(shardID: shardID))
                return .drained
            }
        }
        readers[shardID] = iterator
        return .stopped
    }

    private func makeReader(_ shardID: String, checkpoint: String?, logger: Logger) -> ShardReader<Record> {
        let state = ShardIdleState()
        let (getIterator, getPage, lagMillis) = (adapter.getIterator, adapter.getPage, adapter.lagMillis)
        let usesMillisBehindLatest = adapter.usesMillisBehindLatest
        let metrics = service.metrics
        let sleep = service.sleep
        let clock = ShardTurnClock(state: state, shortWait: { try await sleep(.milliseconds(200)) })
        return ShardReader(
            shardID: shardID,
            checkpoint: checkpoint,
            configuration: .init(startPosition: configuration.startPosition, idleDelay: .milliseconds(200)),
            clock: clock,
            logger: logger,
            // Graceful shutdown cancels a call in flight, retries and backoff sleeps included: SIGTERM during an
            // outage must not wait out the network.
            getIterator: { position in try await cancelWhenGracefulShutdown { try await getIterator(shardID, position) } },
            getPage: { iterator in
                let page = try await cancelWhenGracefulShutdown { try await getPage(iterator) }
                state.page(isEmpty: page.records.isEmpty, millisBehindLatest: page.millisBehindLatest)
                if usesMillisBehindLatest {
                    if let behind = page.millisBehindLatest { metrics.lag(shard: shardID, millis: behind) }
                } else if page.records.isEmpty {
                    if state.isCaughtUp { metrics.lag(shard: shardID, millis: 0) }
                } else if let lag = lagMillis(page.records) {
                    metrics.lag(shard: shardID, millis: lag)
                }
                return page
            },
            sequenceNumber: adapter.sequenceNumber
        )
    }

    /// Commits and moves the counters by what the commit made durable.
    private func commit(_ writer: AsyncStreamWriter) async throws {
        let now = try await writer.commit()
        let records = now.committedRecords - lastStatistics.records
        let bytes = now.committedRawBytes - lastStatistics.bytes
        let duplicates = now.duplicates - lastStatistics.duplicates
        let commits = now.commits - lastStatistics.commits
        lastStatistics = (now.committedRecords, now.committedRawBytes, now.duplicates, now.commits)
        summary.records += records
        summary.bytes += bytes
        summary.duplicates += duplicates
        summary.commits += commits
        if records > 0 { service.metrics.records.increment(by: Int64(records)) }
        if bytes > 0 { service.metrics.bytes.increment(by: Int64(bytes)) }
        if duplicates > 0 {
            service.metrics.duplicates.increment(by: Int64(duplicates))
            logger.debug("Dropped records already archived", metadata: ["sv.duplicates": "\(duplicates)"])
        }
        if commits > 0 { service.metrics.commits.increment(by: Int64(commits)) }
    }
}
