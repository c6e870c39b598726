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
        var leasesListedAt: Duration?
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
    func leasesListed(at time: Duration) { state.withLock { $0.leasesListedAt = time } }
    func leaseListingAge(_ now: Duration) -> Duration { state.withLock { $0.leasesListedAt.map { now - $0 } ?? .seconds(1 << 40) } }
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
    /// Iterators of shards that were caught up, kept for their next turn, with the lease grant they were read
    /// under (only the run's loop touches it).
    private let parked = Mutex<[String: (grant: Int?, iterator: ShardReader<Record>.Iterator)]>([:])
    /// With a lease table: which shards this node may read.
    let coordinator: LeaseCoordinator?
    /// Set when shards should be listed again for the lease table (a shard was drained: its children may be listed).
    private let leaseListingDue = Mutex(false)
    /// Shards whose lease the coordinator dropped since the last lease round (also those whose reader is parked):
    /// the round seals their records at once, as a reader that meets the loss with a page in hand does.
    private let lostLeases: LostLeases

    init(service: ArchiverService, adapter: ArchiverAdapter<Record>) {
        self.service = service
        self.adapter = adapter
        self.logger = service.logger
        self.state = ArchiverRunState(stream: service.configuration.streamName)
        let lostLeases = LostLeases()
        self.lostLeases = lostLeases
        self.coordinator = service.leases.map { leases in
            var leaseLogger = service.logger
            leaseLogger[metadataKey: "sv.lease.owner"] = "\(leases.configuration.owner)"
            return LeaseCoordinator(
                table: leases.table,
                configuration: leases.configuration,
                now: service.elapsed,
                wallMillis: service.wallClock.nowMillis,
                metrics: service.metrics,
                events: { [events = service.events, lostLeases] event in
                    if case .lost(let shardID, _, _) = event { lostLeases.add(shardID) }
                    events(.lease(event))
                },
                logger: leaseLogger
            )
        }
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
            if let coordinator {
                try await loopHoldingLeases(coordinator, writer: writer)
            } else {
                do {
                    try await loop(writer)
                } catch is CancellationError where shuttingDown {
                    // Shutdown cancelled a call in flight (a hanging request, a backoff sleep): stop like after a page.
                }
            }
            try await commit(writer)
            if let coordinator, let leases = service.leases {
                // Checkpoints follow durable records (at once, or once in the bucket): let the last ones move, then hand
                // the leases over at once instead of after a timeout.
                await leases.durability.settle(seal: { try await writer.sealOpenSegment() })
                await coordinator.releaseAll()
            }
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

    /// Runs ``loop(_:)`` beside the lease loop (renewals, takes) until the reading stops or the lease table fails
    /// for good. The first lease round runs before any reading, so a node starts with the shards it can take.
    private func loopHoldingLeases(_ coordinator: LeaseCoordinator, writer: AsyncStreamWriter) async throws {
        do {
            try await coordinator.table.ensureExists(sleep: service.sleep)
        } catch let error as AWSError {
            throw ArchiverError.permanent(error, stream: configuration.streamName, action: "preparing lease table '\(coordinator.table.name)'")
        }
        let listed = try await leaseRound(coordinator, listed: nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.leaseLoop(coordinator, listed: listed, writer: writer) }
            group.addTask {
                do {
                    try await self.loop(writer)
                } catch is CancellationError where self.shuttingDown {
                    // As without leases: shutdown cancelled a call in flight.
                }
            }
            // The reading ends first (shutdown, --once); the lease loop only ends by failing for good.
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Renews leases every renewal interval and scans for leases to take twice as often, until cancelled.
    private func leaseLoop(_ coordinator: LeaseCoordinator, listed: [ShardLineage], writer: AsyncStreamWriter) async throws {
        var listed = listed
        var renewing = false
        while true {
            try await service.sleep(coordinator.configuration.renewInterval / 2)
            // A round runs to its end even when the loop is cancelled at shutdown: a take or renewal the table
            // accepted must be known here, or the lease would be left owned instead of released.
            let round = Task { [listed, renewing] in try await self.leaseRound(coordinator, listed: listed, renewing: renewing) }
            listed = try await round.value
            renewing.toggle()
            if let durability = service.leases?.durability {
                for shardID in lostLeases.takeAll() {
                    await durability.leaseLost(shardID: shardID, seal: { try await writer.sealOpenSegment() })
                }
            }
        }
    }

    /// One lease round (listing the shards first when due); retryable failures are reported and left to the next round.
    private func leaseRound(_ coordinator: LeaseCoordinator, listed: [ShardLineage]?, renewing: Bool = true) async throws -> [ShardLineage] {
        var shards = listed ?? []
        do {
            let due = leaseListingDue.withLock { due in
                defer { due = false }
                return due
            }
            if listed == nil || due || state.leaseListingAge(service.elapsed()) >= configuration.shardRefreshInterval {
                shards = try await adapter.listShards()
                state.leasesListed(at: service.elapsed())
            }
            // Once shutting down, only renew: what is held is released after the last commit.
            try await coordinator.round(listed: shards, taking: !shuttingDown, renewing: renewing)
        } catch let error as AWSError {
            service.metrics.error(code: error.code.description)
            guard error.isRetryable else {
                throw ArchiverError.permanent(
                    error,
                    stream: configuration.streamName,
                    action: "sharing shards through lease table '\(coordinator.table.name)'"
                )
            }
            // Leases not renewed in time are given up by the coordinator itself (it stops reading them).
            service.events(.retrying(error, failures: 1, action: "renewing and taking shard leases"))
            if listed == nil { leaseListingDue.withLock { $0 = true } }
        }
        return shards
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
                if coordinator == nil && (needsListing || listedAt.map({ service.elapsed() - $0 >= configuration.shardRefreshInterval }) ?? true) {
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
                let readable: [(ShardLineage, LeaseGrant?)]
                if let coordinator {
                    // The lease table decides: the shards held now (their parents finished, wherever they were read).
                    readable = coordinator.grants().map { ($0.shard, $0) }
                } else {
                    let lineage = Dictionary(shards.map { ($0.shardID, $0) }, uniquingKeysWith: { first, _ in first })
                    let plan = ShardPlanner.plan(shards: shards, drained: drained)
                    readable = plan.readable.map { (lineage[$0] ?? ShardLineage(shardID: $0), nil) }
                }
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
    private func readConcurrently(_ shards: [(ShardLineage, LeaseGrant?)], writer: AsyncStreamWriter) async throws -> [String] {
        let limit = max(configuration.maxShardReaders ?? shards.count, 1)
        service.metrics.shardReaders(min(limit, shards.count))
        return try await withThrowingTaskGroup(of: (String, TurnOutcome).self) { group in
            var pending = shards[...]
            var drained: [String] = []
            func startNext() {
                guard let next = pending.popFirst() else { return }
                let (shard, grant) = next
                group.addTask { (shard.shardID, try await self.readTurn(shard, grant: grant, writer: writer)) }
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

    /// Reads one shard until it is caught up, drained, or the service shuts down; commits every page. Under a lease
    /// `grant`, each page is appended only while the lease is held, and the lease checkpoint follows each commit.
    private func readTurn(_ shard: ShardLineage, grant: LeaseGrant?, writer: AsyncStreamWriter) async throws -> TurnOutcome {
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
        let local = state.checkpoint(shardID) ?? info.checkpoint?.text
        var iterator: ShardReader<Record>.Iterator
        if let kept = parked.withLock({ $0.removeValue(forKey: shardID) }), kept.grant == grant?.id {
            iterator = kept.iterator
        } else {
            // A lease's checkpoint may be past what this archive holds (another node archived the records between):
            // the writer takes the jump as it is, no gap (the records are in that node's archive).
            var start = local
            if let grant {
                start = grant.resumeAfter ?? local
                // The previous owner may have stored records after the lease checkpoint (with a bucket: uploaded them).
                if let durability = service.leases?.durability { start = await durability.resumePoint(shardID: shardID, after: start) }
            }
            iterator = makeReader(shardID, checkpoint: start, logger: shardLogger).makeAsyncIterator()
        }
        while !shuttingDown {
            let event: ShardReadEvent<Record>?
            do {
                event = try await iterator.next()
            } catch is ShardCaughtUp {
                parked.withLock { $0[shardID] = (grant?.id, iterator) }
                return .caughtUp
            }
            guard let event else { return .drained }
            switch event {
            case .records(let records, _):
                // Lease lost, or not renewed in time: drop the page (the next owner reads it) and stop at once.
                if let grant, coordinator?.mayWrite(grant) != true {
                    await service.leases?.durability.leaseLost(shardID: shardID, seal: { try await writer.sealOpenSegment() })
                    return .stopped
                }
                // One hop to the writer's thread per page, not per record.
                let append = adapter.append
                try await writer.append(records) { record, writer in try append(record, writer, shardID) }
                try await commit(writer)
                if let last = records.last {
                    let sequenceNumber = adapter.sequenceNumber(last)
                    state.setCheckpoint(shardID, sequenceNumber)
                    // Right after the commit, so a node killed now leaves at most this page to be read twice.
                    if let grant, !(try await advanceLease(grant, to: sequenceNumber)) { return .stopped }
                }
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
                if let grant, let coordinator, try await advanceLease(grant, to: Lease.shardEnd) {
                    // Finished: its children's leases may be worked now (they are listed again below).
                    await coordinator.release(grant)
                    leaseListingDue.withLock { $0 = true }
                }
                service.metrics.lag(shard: shardID, millis: 0)
                shardLogger.debug("Shard closed and read to its end")
                service.events(.shardDrained(shardID: shardID))
                return .drained
            }
        }
        parked.withLock { $0[shardID] = (grant?.id, iterator) }
        return .stopped
    }

    /// Moves a held lease's checkpoint once the committed records are durable; `false` when the lease is lost.
    private func advanceLease(_ grant: LeaseGrant, to checkpoint: String) async throws -> Bool {
        guard let coordinator, let leases = service.leases else { return false }
        do {
            try await leases.durability.committed(shardID: grant.shard.shardID, checkpoint: checkpoint) { checkpoint in
                try await coordinator.checkpoint(grant, to: checkpoint)
            }
            return true
        } catch is LeaseLost {
            parked.withLock { _ = $0.removeValue(forKey: grant.shard.shardID) }
            return false
        }
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

/// Shard ids whose leases were lost, gathered by the coordinator's event handler (synchronous) for the lease loop.
private final class LostLeases: Sendable {
    private let shards = Mutex<[String]>([])

    func add(_ shardID: String) { shards.withLock { $0.append(shardID) } }

    func takeAll() -> [String] {
        shards.withLock { shards in
            defer { shards.removeAll() }
            return shards
        }
    }
}
