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

/// What the shard readers of one run share: the run's counters, the shards read, and each shard's last
/// committed sequence number. Readers of different shards run at once, so every update takes the lock.
final class ArchiverRunState: Sendable {
    private struct State {
        var summary = ArchiveSummary()
        var lastStatistics: (records: Int, bytes: Int, duplicates: Int, commits: Int) = (0, 0, 0, 0)
        var readShards: Set<String> = []
        var checkpoints: [String: String] = [:]
        var shardInfo: [String: ShardInfo] = [:]
    }

    private let state: Mutex<State>

    init(stream: String) {
        var initial = State()
        initial.summary.stream = stream
        state = Mutex(initial)
    }

    var summary: ArchiveSummary {
        state.withLock { state in
            var summary = state.summary
            summary.shardsRead = state.readShards.count
            return summary
        }
    }

    func update(_ body: (inout ArchiveSummary) -> Void) { state.withLock { body(&$0.summary) } }
    func markRead(_ shardID: String) { state.withLock { _ = $0.readShards.insert(shardID) } }
    func checkpoint(_ shardID: String) -> String? { state.withLock { $0.checkpoints[shardID] } }
    func setCheckpoint(_ shardID: String, _ sequenceNumber: String) { state.withLock { $0.checkpoints[shardID] = sequenceNumber } }
    func shardInfo(_ shardID: String) -> ShardInfo? { state.withLock { $0.shardInfo[shardID] } }
    func setShardInfo(_ info: ShardInfo) { state.withLock { $0.shardInfo[info.shardID] = info } }

    /// Takes the writer's statistics after a commit; returns what moved since the last call.
    func account(_ now: StreamWriter.Statistics) -> (records: Int, bytes: Int, duplicates: Int, commits: Int) {
        state.withLock { state in
            let last = state.lastStatistics
            // Commits of several readers may finish out of order: only a newer snapshot moves the counters.
            guard now.commits >= last.commits else { return (0, 0, 0, 0) }
            let moved = (
                now.committedRecords - last.records, now.committedRawBytes - last.bytes, now.duplicates - last.duplicates, now.commits - last.commits
            )
            state.lastStatistics = (now.committedRecords, now.committedRawBytes, now.duplicates, now.commits)
            state.summary.records += moved.0
            state.summary.bytes += moved.1
            state.summary.duplicates += moved.2
            state.summary.commits += moved.3
            return moved
        }
    }
}

/// Spaces one shard's GetRecords calls at least `minimumInterval` apart (Kinesis allows five per second per shard).
final class CallPacing: Sendable {
    let minimumInterval: Duration
    private let last = Mutex<Duration?>(nil)

    init(minimumInterval: Duration) { self.minimumInterval = minimumInterval }

    /// How long to wait before a call at `now` (time since the run started); records the call's time.
    func wait(_ now: Duration) -> Duration? {
        guard minimumInterval > .zero else { return nil }
        return last.withLock { last in
            let earliest = (last ?? now - minimumInterval) + minimumInterval
            let start = max(now, earliest)
            last = start
            return start > now ? start - now : nil
        }
    }
}

/// One run of an ``ArchiverService``: owns the stream's writer, an ``AsyncStreamWriter`` so that fsync, catalog
/// transactions and compression run on the writer's own thread, never on the cooperative pool.
///
/// Each round reads every readable shard (``ShardPlanner``) until it is caught up or drained, up to
/// ``ArchiverConfiguration/maxShardReaders`` shards at once, each in its own task. A shard's pages are appended
/// and committed in order by its own reader; the writer is one actor per stream, so pages of several shards that
/// arrive together share one commit (one fsync, one catalog transaction) and each shard's checkpoint stays exact.
final class ArchiverRun<Record: Sendable>: Sendable {
    let service: ArchiverService
    let adapter: ArchiverAdapter<Record>
    let state: ArchiverRunState
    private let logger: Logger
    /// Iterators of shards that were caught up, kept for their next turn (only the run's loop touches it).
    private let parked = Mutex<[String: ShardReader<Record>.Iterator]>([:])

    init(service: ArchiverService, adapter: ArchiverAdapter<Record>) {
        self.service = service
        self.adapter = adapter
        self.logger = service.logger
        self.state = ArchiverRunState(stream: service.configuration.streamName)
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
            service.report(state.summary)
            throw error
        }
        let summary = state.summary
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
        // Whether the stream is known to be read (reported once per run, and again after an outage).
        var reading = false
        func reportReading() {
            guard !reading else { return }
            reading = true
            service.metrics.streamUp(true)
            service.events(.reading(shards: shards.count))
        }
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
                    reportReading()
                }
                let lineage = Dictionary(shards.map { ($0.shardID, $0) }, uniquingKeysWith: { first, _ in first })
                let plan = ShardPlanner.plan(shards: shards, drained: drained)
                let readable = plan.readable.map { lineage[$0] ?? ShardLineage(shardID: $0) }
                for shardID in try await readConcurrently(readable, writer: writer) {
                    drained.insert(shardID)
                    state.update { $0.shardsDrained += 1 }
                    progressed = true
                    needsListing = true
                }
                failures = 0
                reportReading()
            } catch let error as AWSError {
                service.metrics.error(code: error.code.description)
                try await commit(writer)
                guard error.isRetryable && !configuration.once && configuration.retriesOutagesInRun else {
                    throw ArchiverError.permanent(error, stream: configuration.streamName, action: "reading")
                }
                // The client already retried with backoff; keep the service up and try again later from the checkpoints.
                failures += 1
                reading = false
                service.metrics.streamFailed()
                parked.withLock { $0.removeAll() }
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
                // Caught up: with a bucket, an idle segment still seals on time (WriterConfiguration.sealIdleSegments).
                if configuration.writer.sealIdleSegments { try await commit(writer) }
                try? await cancelWhenGracefulShutdown { [sleep = service.sleep, poll = configuration.pollInterval] in try await sleep(poll) }
            }
        }
    }

    /// Gives each shard a turn, at most ``ArchiverConfiguration/maxShardReaders`` at once; returns the shards drained.
    private func readConcurrently(_ shards: [ShardLineage], writer: AsyncStreamWriter) async throws -> [String] {
        let limit = max(configuration.maxShardReaders ?? shards.count, 1)
        service.metrics.shardReaders(min(limit, shards.count))
        return try await withThrowingTaskGroup(of: (String, TurnOutcome).self) { group in
            var pending = shards[...]
            var drained: [String] = []
            func startNext() {
                guard let shard = pending.popFirst() else { return }
                group.addTask { (shard.shardID, try await self.readTurn(shard, writer: writer)) }
            }
            for _ in 0..<limit { startNext() }
            while let (shardID, outcome) = try await group.next() {
                if outcome == .drained { drained.append(shardID) }
                if !shuttingDown { startNext() }
            }
            return drained
        }
    }

    private enum TurnOutcome { case caughtUp, drained, stopped }

    /// Reads one shard until it is caught up, drained, or the service shuts down; commits every page.
    private func readTurn(_ shard: ShardLineage, writer: AsyncStreamWriter) async throws -> TurnOutcome {
        let shardID = shard.shardID
        var shardLogger = logger
        shardLogger[metadataKey: "sv.shard.id"] = "\(shardID)"
        let info: ShardInfo
        if let known = state.shardInfo(shardID) {
            info = known
        } else {
            info = try await writer.openShard(
                shardID,
                parentShardID: shard.parentShardID,
                adjacentParentShardID: shard.adjacentParentShardID,
                dedupe: adapter.dedupe
            )
            state.setShardInfo(info)
        }
        state.markRead(shardID)
        var iterator =
            parked.withLock { $0.removeValue(forKey: shardID) }
            ?? makeReader(shardID, checkpoint: state.checkpoint(shardID) ?? info.checkpoint?.text, logger: shardLogger).makeAsyncIterator()
        while !shuttingDown {
            let event: ShardReadEvent<Record>?
            do {
                event = try await iterator.next()
            } catch is ShardCaughtUp {
                parked.withLock { $0[shardID] = iterator }
                return .caughtUp
            }
            guard let event else { return .drained }
            switch event {
            case .records(let records, _):
                // One hop to the writer's thread per page, not per record.
                let append = adapter.append
                try await writer.append(records) { record, writer in try append(record, writer, shardID) }
                try await commit(writer)
                if let last = records.last { state.setCheckpoint(shardID, adapter.sequenceNumber(last)) }
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
                state.update { $0.gaps += 1 }
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
        parked.withLock { $0[shardID] = iterator }
        return .stopped
    }
    private func makeReader(_ shardID: String, checkpoint: String?, logger: Logger) -> ShardReader<Record> {
        let state = ShardIdleState()
        let (getIterator, getPage, lagMillis) = (adapter.getIterator, adapter.getPage, adapter.lagMillis)
        let usesMillisBehindLatest = adapter.usesMillisBehindLatest
        let metrics = service.metrics
        let sleep = service.sleep
        let clock = ShardTurnClock(state: state, shortWait: { try await sleep(.milliseconds(200)) })
        let pacing = CallPacing(minimumInterval: adapter.minimumCallInterval)
        let elapsed = service.elapsed
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
                // Pace this shard's calls as the service allows (other shards are not held up: each has its own task).
                if let wait = pacing.wait(elapsed()) {
                    try await cancelWhenGracefulShutdown { try await sleep(wait) }
                }
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

    /// Commits and moves the counters by what the commit made durable. With several readers, one reader's commit
    /// may carry the pages of others (group commit); each counts what moved since the last count.
    private func commit(_ writer: AsyncStreamWriter) async throws {
        let moved = state.account(try await writer.commit())
        if moved.records > 0 { service.metrics.records.increment(by: Int64(moved.records)) }
        if moved.bytes > 0 { service.metrics.bytes.increment(by: Int64(moved.bytes)) }
        if moved.duplicates > 0 {
            service.metrics.duplicates.increment(by: Int64(moved.duplicates))
            logger.debug("Dropped records already archived", metadata: ["sv.duplicates": "\(moved.duplicates)"])
        }
        if moved.commits > 0 { service.metrics.commits.increment(by: Int64(moved.commits)) }
    }
}
