import AWSCore
public import Logging

/// Reads one shard from a checkpoint to its end, as an `AsyncSequence` of ``ShardReadEvent``.
///
/// - Starts at `AFTER_SEQUENCE_NUMBER <checkpoint>`, or at `startPosition` (default TRIM_HORIZON) without one.
/// - Re-acquires an expired iterator from the last record it yielded (`ExpiredIteratorException`).
/// - Turns `TrimmedDataAccessException` into a ``ShardGap`` and continues at TRIM_HORIZON.
/// - Waits `idleDelay` on the injected clock after an empty page of an open shard (AWS asks for about 1 s).
/// - Ends with ``ShardReadEvent/drained`` once a closed shard has no next iterator.
///
/// It pulls: a page is requested only when the consumer asks for the next event, so after the consumer
/// committed a batch, "last yielded" equals "last committed", and re-acquiring from it loses nothing.
/// Other errors (after the JSON client's own retries) are thrown. Cancel the task to stop.
///
/// ```swift
/// let reader = ShardReader.dynamoDB(api: streams, streamARN: arn, shardID: shard, checkpoint: lastCommitted)
/// for try await event in reader {
///     switch event {
///     case .records(let records, _): try await archive.append(records, shard: shard)   // commits the checkpoint
///     case .gap(let gap): try await archive.recordGap(gap)
///     case .drained: try await archive.markDrained(shard)
///     }
/// }
/// ```
public struct ShardReader<Record: Sendable>: AsyncSequence, Sendable {
    public typealias Element = ShardReadEvent<Record>

    /// One GetRecords answer, in a form common to DynamoDB Streams and Kinesis.
    public struct Page: Sendable {
        /// The records.
        public var records: [Record]
        /// The next iterator; `nil` when the shard is closed and drained.
        public var nextShardIterator: String?
        /// Kinesis' lag, when known.
        public var millisBehindLatest: Int64?

        /// Creates a page.
        /// - Parameters:
        ///   - records: The records.
        ///   - nextShardIterator: The next iterator, or `nil` at the end of a closed shard.
        ///   - millisBehindLatest: The lag, if known.
        public init(records: [Record], nextShardIterator: String?, millisBehindLatest: Int64? = nil) {
            self.records = records
            self.nextShardIterator = nextShardIterator
            self.millisBehindLatest = millisBehindLatest
        }
    }

    /// Tuning.
    public struct Configuration: Sendable {
        /// Where to start without a checkpoint. Default `.trimHorizon`.
        public var startPosition: ShardIteratorPosition
        /// The wait after an empty page of an open shard. Default 1 s.
        public var idleDelay: Duration
        /// How many times in a row an iterator may be re-acquired without a successful read before giving up. Default 5.
        public var maxConsecutiveIteratorRefreshes: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - startPosition: Where to start without a checkpoint; default TRIM_HORIZON.
        ///   - idleDelay: The wait after an empty page; default 1 s.
        ///   - maxConsecutiveIteratorRefreshes: Re-acquisitions in a row before throwing; default 5.
        public init(startPosition: ShardIteratorPosition = .trimHorizon, idleDelay: Duration = .seconds(1), maxConsecutiveIteratorRefreshes: Int = 5)
        {
            self.startPosition = startPosition
            self.idleDelay = idleDelay
            self.maxConsecutiveIteratorRefreshes = maxConsecutiveIteratorRefreshes
        }
    }

    /// The shard being read.
    public let shardID: String
    let checkpoint: String?
    let configuration: Configuration
    let getIterator: @Sendable (ShardIteratorPosition) async throws -> String
    let getPage: @Sendable (String) async throws -> Page
    let sequenceNumber: @Sendable (Record) -> String
    let sleep: @Sendable (Duration) async throws -> Void
    let logger: Logger

    /// Creates a reader from the two calls it needs (see ``dynamoDB(api:streamARN:shardID:checkpoint:batchLimit:configuration:clock:logger:)``
    /// and ``kinesis(api:stream:shardID:checkpoint:batchLimit:configuration:clock:logger:)`` for the usual ones).
    /// - Parameters:
    ///   - shardID: The shard.
    ///   - checkpoint: The sequence number of the last record already archived, or `nil`.
    ///   - configuration: Start position, idle delay, refresh limit.
    ///   - clock: The clock idle waits sleep on.
    ///   - logger: Where to log (debug: gaps and refreshes).
    ///   - getIterator: `GetShardIterator` for this shard.
    ///   - getPage: `GetRecords`.
    ///   - sequenceNumber: A record's sequence number.
    public init<C: Clock>(
        shardID: String,
        checkpoint: String?,
        configuration: Configuration = Configuration(),
        clock: C = ContinuousClock(),
        logger: Logger = Logger(label: "streamvault.shard-reader", factory: { _ in SwiftLogNoOpLogHandler() }),
        getIterator: @escaping @Sendable (ShardIteratorPosition) async throws -> String,
        getPage: @escaping @Sendable (String) async throws -> Page,
        sequenceNumber: @escaping @Sendable (Record) -> String
    ) where C.Duration == Duration {
        self.shardID = shardID
        self.checkpoint = checkpoint
        self.configuration = configuration
        self.getIterator = getIterator
        self.getPage = getPage
        self.sequenceNumber = sequenceNumber
        self.sleep = { try await clock.sleep(for: $0) }
        var logger = logger
        logger[metadataKey: "sv.shard.id"] = "\(shardID)"
        self.logger = logger
    }

    /// Makes the iterator that performs the reads.
    public func makeAsyncIterator() -> Iterator { Iterator(reader: self, last: checkpoint) }

    /// Performs the reads; see ``ShardReader``. Sendable so that a reader's state can move between the tasks
    /// that read a shard turn by turn.
    public struct Iterator: AsyncIteratorProtocol, Sendable {
        let reader: ShardReader
        var last: String?
        var iterator: String?
        var restartAtTrimHorizon = false
        var pendingDrained = false
        var finished = false
        var refreshes = 0

        init(reader: ShardReader, last: String?) {
            self.reader = reader
            self.last = last
        }

        /// The next event, or `nil` after ``ShardReadEvent/drained``.
        public mutating func next() async throws -> ShardReadEvent<Record>? {
            if finished { return nil }
            if pendingDrained {
                finished = true
                return .drained
            }
            while true {
                try Task.checkCancellation()
                if iterator == nil {
                    let position: ShardIteratorPosition =
                        restartAtTrimHorizon ? .trimHorizon : (last.map { .afterSequenceNumber($0) } ?? reader.configuration.startPosition)
                    do {
                        iterator = try await reader.getIterator(position)
                    } catch let error as AWSError where error.code == .trimmedData {
                        if restartAtTrimHorizon { throw error }  // trimmed even at TRIM_HORIZON: not a gap, a broken service
                        return gap(error)
                    }
                }
                guard let current = iterator else { continue }
                let page: Page
                do {
                    page = try await reader.getPage(current)
                } catch let error as AWSError where error.code == .expiredIterator {
                    refreshes += 1
                    guard refreshes <= reader.configuration.maxConsecutiveIteratorRefreshes else { throw error }
                    reader.logger.debug(
                        "Shard iterator expired; getting a new one from the checkpoint",
                        metadata: ["sv.checkpoint": "\(last ?? "none")"]
                    )
                    iterator = nil
                    continue
                } catch let error as AWSError where error.code == .trimmedData {
                    return gap(error)
                }
                refreshes = 0
                iterator = page.nextShardIterator
                if let lastRecord = page.records.last {
                    last = reader.sequenceNumber(lastRecord)
                    restartAtTrimHorizon = false  // from now on, resume after what was read
                }
                if page.nextShardIterator == nil {
                    if page.records.isEmpty {
                        finished = true
                        return .drained
                    }
                    pendingDrained = true
                }
                if !page.records.isEmpty { return .records(page.records, millisBehindLatest: page.millisBehindLatest) }
                try await reader.sleep(reader.configuration.idleDelay)
            }
        }

        private mutating func gap(_ error: AWSError) -> ShardReadEvent<Record> {
            reader.logger.debug("Records trimmed before they were read; recording a gap", metadata: ["sv.checkpoint": "\(last ?? "none")"])
            let gap = ShardGap(shardID: reader.shardID, afterSequenceNumber: last, reason: error.message)
            iterator = nil
            restartAtTrimHorizon = true
            refreshes += 1
            return .gap(gap)
        }
    }
}
