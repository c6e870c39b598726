import ArchiveStore
public import StreamModel

/// Replays archived records into Lambda handlers the way a DynamoDB (or Kinesis) event source mapping feeds a
/// function: batches of up to BatchSize records of one shard, per shard in sequence order with parents before
/// children, up to ParallelizationFactor batches of a shard at once (records of one partition key always in
/// the same lane, in order), and the mapping's error handling (``LaneDelivery``).
///
/// Shards are replayed one after another in lineage order (AWS runs unrelated shards side by side; the
/// order of records within each shard and key, which is what handlers rely on, is the same).
///
/// ```swift
/// let feed = RecordFeed { try ReplayPipeline(catalog: catalog, layout: layout, selection: selection, format: .lambdaDynamoDB) }
/// let mapping = EventSourceMapping(settings: settings, handlers: [handler], streamARN: arn)
/// let statistics = try await mapping.run(feed)
/// ```
public final class EventSourceMapping {
    /// Where a lane stands.
    private struct Lane {
        var pending: EventBatch?
        var pendingFirstOrdinal = Int.max
        var inFlightFirstOrdinal: Int?
    }

    private let settings: MappingSettings
    private let handlers: [any Handler]
    private let streamARN: String
    private let failures: FailureDestination?
    private let pacing: (any Pacing)?
    private let delivery: [LaneDelivery]
    private let onCheckpoint: (@Sendable (ReplayPosition, DeliveryStatistics) async throws -> Void)?
    private let onProgress: (@Sendable (DeliveryStatistics) -> Void)?

    private var lanes: [Lane]
    private var prefix = CompletedPrefix()
    private var shard = -1
    private var shardIDs: [String] = []
    private var statistics = DeliveryStatistics()

    /// Prepares a mapping.
    /// - Parameters:
    ///   - settings: the mapping's settings (checked with ``MappingSettings/validate()`` by the caller).
    ///   - handlers: one per lane (``MappingSettings/parallelization`` of them): lanes run at the same time.
    ///   - streamARN: the stream's ARN, for failure records.
    ///   - failures: the on-failure destination; `nil` drops given-up records (counted).
    ///   - pacing: `--speed`; `nil` replays as fast as the handlers take it.
    ///   - retryBackoff: the first retry's delay, doubled per retry up to one second.
    ///   - wallClockMillis: the wall clock (MaximumRecordAgeInSeconds, failure record timestamps).
    ///   - onCheckpoint: called after a batch when the shard's completed prefix moved (a named replay saves it).
    ///   - onProgress: called after each batch with the counts so far.
    public init(
        settings: MappingSettings,
        handlers: [any Handler],
        streamARN: String,
        failures: FailureDestination? = nil,
        pacing: (any Pacing)? = nil,
        retryBackoff: Duration = .zero,
        wallClockMillis: @escaping @Sendable () -> Int64 = { EventSourceMapping.wallClockNow() },
        onCheckpoint: (@Sendable (ReplayPosition, DeliveryStatistics) async throws -> Void)? = nil,
        onProgress: (@Sendable (DeliveryStatistics) -> Void)? = nil
    ) {
        precondition(handlers.count == settings.parallelization, "one handler per lane")
        self.settings = settings
        self.handlers = handlers
        self.streamARN = streamARN
        self.failures = failures
        self.pacing = pacing
        self.onCheckpoint = onCheckpoint
        self.onProgress = onProgress
        delivery = handlers.map {
            LaneDelivery(
                settings: settings,
                handler: $0,
                streamARN: streamARN,
                failures: failures,
                retryBackoff: retryBackoff,
                wallClockMillis: wallClockMillis
            )
        }
        lanes = Array(repeating: Lane(), count: settings.parallelization)
    }

    /// Replays every record of `feed`.
    /// - Returns: the counts.
    /// - Throws: ``HandlerError`` when a handler cannot be used or the failure file cannot be written; what the
    ///   feed throws (damage); what `onCheckpoint` throws. Batches done before stay done (and checkpointed).
    public func run(_ feed: RecordFeed) async throws -> DeliveryStatistics {
        defer { feed.cancel() }
        try await withThrowingTaskGroup(of: LaneDelivery.Report.self) { group in
            while let page = try await feed.next() {
                shardIDs = page.shardIDs
                statistics.recordsRead = page.recordsRead
                statistics.recordsFiltered = page.recordsFiltered
                for entry in page.entries {
                    try await place(entry, page, &group)
                }
            }
            try await drain(&group)
        }
        return statistics
    }

    private func place(_ entry: RecordPage.Entry, _ page: RecordPage, _ group: inout ThrowingTaskGroup<LaneDelivery.Report, any Error>) async throws {
        if entry.shard != shard {
            // Parents before children: the shard before is done before this one starts.
            try await drain(&group)
            prefix.reset()
            shard = entry.shard
        }
        if let pacing { try await pace(entry.timeMillis, pacing, &group) }
        let lane = Int(entry.partitionHash % UInt64(settings.parallelization))
        if lanes[lane].pending == nil {
            var batch = EventBatch(shard: shard, shardID: shardIDs[shard], lane: lane)
            batch.openedAtRecordTime = pacing?.recordTimeNow() ?? 0
            lanes[lane].pending = batch
            lanes[lane].pendingFirstOrdinal = prefix.placed
        }
        _ = prefix.place(page.bytes[entry.sequence])
        lanes[lane].pending!.append(entry, from: page.bytes)
        if lanes[lane].pending!.count >= settings.batchSize {
            try await dispatch(lane, &group)
        }
    }

    /// Waits until `recordTime` is due. A batch goes out when its MaximumBatchingWindowInSeconds has passed; with
    /// a window of 0, as soon as the replay has to wait for the next record (records due together share a batch).
    private func pace(_ recordTime: Int64, _ pacing: any Pacing, _ group: inout ThrowingTaskGroup<LaneDelivery.Report, any Error>) async throws {
        pacing.start(atRecordTime: recordTime)
        let window = Int64(settings.batchingWindowSeconds) * 1000
        while true {
            let now = pacing.recordTimeNow()
            let waiting = now < recordTime
            for lane in lanes.indices {
                if let batch = lanes[lane].pending, batch.openedAtRecordTime + window <= now, window > 0 || waiting {
                    try await dispatch(lane, &group)
                }
            }
            guard waiting else { return }
            var wake = recordTime
            for lane in lanes.indices {
                if let batch = lanes[lane].pending { wake = min(wake, max(batch.openedAtRecordTime + window, now + 1)) }
            }
            try await pacing.sleep(untilRecordTime: wake)
            if wake >= recordTime { return }
        }
    }

    /// Sends lane `lane`'s pending batch once the lane's batch before it is done.
    private func dispatch(_ lane: Int, _ group: inout ThrowingTaskGroup<LaneDelivery.Report, any Error>) async throws {
        guard let batch = lanes[lane].pending else { return }
        while lanes[lane].inFlightFirstOrdinal != nil {
            guard let report = try await group.next() else { break }
            try await collect(report)
        }
        lanes[lane].pending = nil
        lanes[lane].inFlightFirstOrdinal = lanes[lane].pendingFirstOrdinal
        lanes[lane].pendingFirstOrdinal = .max
        let delivery = delivery[lane]
        group.addTask { try await delivery.deliver(batch) }
    }

    /// Sends every pending batch and waits for all lanes.
    private func drain(_ group: inout ThrowingTaskGroup<LaneDelivery.Report, any Error>) async throws {
        for lane in lanes.indices { try await dispatch(lane, &group) }
        while let report = try await group.next() { try await collect(report) }
    }

    private func collect(_ report: LaneDelivery.Report) async throws {
        lanes[report.lane].inFlightFirstOrdinal = nil
        statistics.add(report.statistics)
        let firstUnfinished = lanes.map { $0.inFlightFirstOrdinal ?? $0.pendingFirstOrdinal }.min() ?? .max
        if let text = prefix.advance(to: firstUnfinished), let onCheckpoint, let sequence = SequenceNumber(text) {
            try await onCheckpoint(ReplayPosition(shardID: shardIDs[shard], sequenceNumber: sequence), statistics)
        }
        onProgress?(statistics)
    }

    /// Milliseconds since 1970 by the system's wall clock.
    public static func wallClockNow() -> Int64 { WallClock.system.nowMillis() }
}
