import ArchiveStore
import NIOPosix
import Replay
import StreamModel

/// One GetRecords page: the records' JSON (comma-separated, ready to go between `[` and `]`), and where it ended.
struct RecordPage: Sendable {
    /// The records, each in the answer's shape, separated by commas.
    var json: [UInt8] = []
    /// How many records `json` holds.
    var count = 0
    /// The stored sequence number of the last record in the page.
    var lastSequence: SequenceNumber?
    /// The event time of the last record in the page, epoch ms.
    var lastTimeMillis: Int64?
    /// Whether the shard holds nothing after this page (now).
    var reachedEnd = false
}

/// Reads pages of a shard through ``ReplayPipeline`` on NIO's blocking thread pool: block reads, zstd and the
/// pipeline's catalog look-ups block, so they never run on Swift's cooperative pool.
///
/// Records go from the decompressed block straight into the answer: stored in the answer's shape they are
/// copied as they are, otherwise converted by the pipeline's reused ``RecordConverter`` (no Foundation JSON).
struct RecordPageReader: Sendable {
    let catalog: Catalog
    let layout: StorageLayout
    let threads: NIOThreadPool

    /// Reads up to `limit` records (and about `maxBytes` of them; always at least one) of `shard` from `position`.
    func page(
        stream: String,
        shard: ShardInfo,
        from position: ShardIterator.Position,
        limit: Int,
        maxBytes: Int,
        format: RecordFormat
    ) async throws -> RecordPage {
        try await threads.runIfActive { [catalog, layout] in
            var selection = ReplaySelection(stream: stream, shard: shard.shardID)
            let start: SequenceNumber?
            switch position {
            case .trimHorizon: start = nil
            case .at(let sequence):
                selection.fromSequence = sequence
                start = sequence
            case .after(let sequence):
                selection.fromSequence = sequence
                selection.after = ReplayPosition(shardID: shard.shardID, sequenceNumber: sequence)
                start = sequence
            }
            // Plan only the blocks one page can need, not the rest of a year-long shard.
            let spans = try catalog.blockSpans(shardRowID: shard.rowID, from: start, limit: Self.maxPlannedBlocks)
            let bound = Self.bound(spans, limit, maxBytes)
            if let bound { selection.toSequence = bound.upTo }
            let pipeline = try ReplayPipeline(catalog: catalog, layout: layout, selection: selection, format: format)
            var sink = PageSink(maxBytes: maxBytes)
            sink.page.json.reserveCapacity(min(maxBytes, 1 << 20))
            _ = try pipeline.next(limit, into: &sink)
            sink.page.reachedEnd = !sink.overflowed && pipeline.isExhausted && !(bound?.truncated ?? false)
            return sink.finished()
        }
    }

    /// The most blocks one page plans.
    static let maxPlannedBlocks = 256

    /// Where a page can stop at the latest: the last sequence number of the first block by which the blocks after the
    /// first (which may be partly read already) hold `limit` records or `maxBytes`; `nil` when the shard ends first.
    /// `truncated` says the bound cuts the shard short.
    static func bound(_ spans: [BlockSpan], _ limit: Int, _ maxBytes: Int) -> (upTo: SequenceNumber, truncated: Bool)? {
        var records: Int64 = 0
        var bytes: Int64 = 0
        for (index, span) in spans.enumerated() where index > 0 {
            records += span.records
            bytes += span.rawBytes
            if records >= Int64(limit) || bytes >= Int64(maxBytes) {
                return (span.lastSequence, index < spans.count - 1 || spans.count == maxPlannedBlocks)
            }
        }
        guard spans.count == maxPlannedBlocks, let last = spans.last else { return nil }
        return (last.lastSequence, true)
    }

    /// The sequence number of the first record of `shard` whose event time is at or after `millis`, or `nil`.
    func firstSequence(stream: String, shard: String, atOrAfter millis: Int64) async throws -> SequenceNumber? {
        try await threads.runIfActive { [catalog, layout] in
            let from = min(max(millis, ReplaySelection.supportedTimes.lowerBound), ReplaySelection.supportedTimes.upperBound)
            let pipeline = try ReplayPipeline(
                catalog: catalog,
                layout: layout,
                selection: ReplaySelection(stream: stream, from: from, shard: shard)
            )
            var sink = PageSink(maxBytes: Int.max)
            _ = try pipeline.next(1, into: &sink)
            return sink.finished().lastSequence
        }
    }
}

/// Collects a page, stopping before the record that would take it past its byte budget.
private struct PageSink: ReplaySink {
    var page = RecordPage()
    let maxBytes: Int
    var overflowed = false
    /// The last kept record's sequence digits (a reused buffer: no allocation per record).
    private var lastDigits: [UInt8] = []

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    mutating func deliver(_ record: ReplayRecord) throws -> Bool {
        // The pipeline has moved past this record; the next iterator starts after the last one kept.
        if page.count > 0 && page.json.count + 1 + record.bytes.count > maxBytes {
            overflowed = true
            return false
        }
        if page.count > 0 { page.json.append(UInt8(ascii: ",")) }
        page.json.append(contentsOf: record.bytes)
        page.count += 1
        if let facts = record.locate() {
            lastDigits.removeAll(keepingCapacity: true)
            lastDigits.append(contentsOf: facts.sequenceNumber)
            page.lastTimeMillis = facts.eventTimeMillis
        }
        return true
    }

    /// The page, with its last sequence number.
    func finished() -> RecordPage {
        var result = page
        result.lastSequence = lastDigits.isEmpty ? nil : SequenceNumber(String(decoding: lastDigits, as: UTF8.self))
        return result
    }
}
