import ArchiveStore
import Foundation
import StreamModel
import Synchronization

/// Runs a ``ReplayPipeline`` on a thread of its own and hands its records to async code in ``RecordPage``s.
///
/// The pipeline blocks (catalog reads, segment reads, zstd); async code must not block the cooperative pool
/// with that work (docs/ARCHITECTURE.md), so the pipeline is made and pulled on this thread. A few pages are
/// read ahead; the thread waits when the consumer falls behind.
public final class RecordFeed: Sendable {
    /// Records per page.
    public let pageRecords: Int
    // One consumer (the mapping's run loop) pulls pages; the iterator is its alone.
    nonisolated(unsafe) private var iterator: AsyncThrowingStream<RecordPage, any Error>.AsyncIterator
    private let continuation: AsyncThrowingStream<RecordPage, any Error>.Continuation
    private let room: DispatchSemaphore
    private let cancelled = Atomic<Bool>(false)
    /// Records the plan expects (the catalog's counts of the selected blocks; an upper bound at the edges).
    private let planned = Atomic<Int>(-1)

    /// Starts the thread: it makes the pipeline with `makePipeline` and reads it to the end.
    /// - Parameters:
    ///   - pageRecords: records per page.
    ///   - readAhead: pages read ahead of the consumer.
    ///   - makePipeline: makes the pipeline (on the feed's thread); it must convert to a Lambda event record shape.
    public init(pageRecords: Int = 1000, readAhead: Int = 4, makePipeline: @escaping @Sendable () throws -> ReplayPipeline) {
        self.pageRecords = max(1, pageRecords)
        let (stream, continuation) = AsyncThrowingStream<RecordPage, any Error>.makeStream()
        iterator = stream.makeAsyncIterator()
        self.continuation = continuation
        room = DispatchSemaphore(value: max(1, readAhead))
        let thread = Thread { [self] in self.read(makePipeline) }
        thread.name = "streamvault.replay-feed"
        thread.start()
    }

    /// The records the selection's blocks hold (for an ETA), once the pipeline is planned; `nil` before.
    public var plannedRecords: Int? {
        let value = planned.load(ordering: .relaxed)
        return value < 0 ? nil : value
    }

    /// The next page, or `nil` at the end of the selection.
    /// - Throws: what the pipeline throws (damage, an unknown stream, a record without a sequence number).
    func next() async throws -> RecordPage? {
        let page = try await iterator.next()
        if page != nil { room.signal() }
        return page
    }

    /// Stops reading (the thread ends at its next page).
    public func cancel() {
        cancelled.store(true, ordering: .relaxed)
        room.signal()
    }

    private func read(_ makePipeline: () throws -> ReplayPipeline) {
        do {
            let pipeline = try makePipeline()
            planned.store(pipeline.blocks.reduce(0) { $0 + Int($1.info.recordCount) }, ordering: .relaxed)
            var sink = PageSink(shardIDs: pipeline.shards.map(\.shardID))
            var more = true
            while more && !cancelled.load(ordering: .relaxed) {
                more = try pipeline.next(pageRecords, into: &sink)
                sink.page.recordsFiltered = pipeline.statistics.recordsFiltered
                sink.page.recordsRead = pipeline.statistics.recordsRead
                room.wait()
                if cancelled.load(ordering: .relaxed) { break }
                continuation.yield(sink.page)
                sink.page.bytes.removeAll(keepingCapacity: false)
                sink.page.entries.removeAll(keepingCapacity: false)
            }
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
    }
}

/// Copies each record the pipeline delivers into the current page.
private struct PageSink: ReplaySink {
    var page = RecordPage()
    private var lastShardID = ""
    private var lastShard = -1

    init(shardIDs: [String]) { page.shardIDs = shardIDs }

    mutating func deliver(_ record: ReplayRecord) throws -> Bool {
        guard let facts = HandlerRecordFacts.locate(record.stored, record.storedFormat) else {
            throw ReplayError(
                code: .unsupportedFormat,
                message: "An archived \(record.storedFormat.rawValue) record of shard '\(record.shardID)' has no sequence number, "
                    + "event time or key: handlers need records archived as native, lambda-dynamodb or kinesis-record."
            )
        }
        if lastShard < 0 || record.shardID != lastShardID {
            lastShardID = record.shardID
            lastShard = page.shardIDs.firstIndex(of: record.shardID) ?? 0
        }
        let sequenceStart = page.bytes.count
        page.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: record.stored[facts.sequence]))
        let start = page.bytes.count
        page.bytes.append(contentsOf: record.bytes)
        page.entries.append(
            RecordPage.Entry(
                bytes: start..<page.bytes.count,
                sequence: sequenceStart..<start,
                timeMillis: facts.timeMillis,
                partitionHash: facts.partitionHash,
                shard: lastShard
            )
        )
        return true
    }
}
