import ArchiveStore
import Replay
import StreamModel

/// Where a gap lies in event time: between the archived record it follows (its `afterSequence`) and the shard's
/// next archived record. The missing records' times lie between the two, so a gap touches a time range when
/// `after < to` and `before >= from`.
struct GapPlacement {
    /// Event time of the record at the gap's `afterSequence`; `nil` when there is none (a gap at the shard's
    /// start) or it is no longer archived: the hole may then reach back to any time.
    var after: Int64?
    /// Event time of the shard's next archived record; `nil` when none follows: the hole reaches to any later time.
    var before: Int64?

    static func locate(catalog: Catalog, layout: StorageLayout, stream: String, gap: GapInfo) throws -> GapPlacement {
        let pipeline = try ReplayPipeline(
            catalog: catalog,
            layout: layout,
            selection: ReplaySelection(stream: stream, shard: gap.shardID, fromSequence: gap.afterSequence)
        )
        var sink = FirstTwo(afterSequence: gap.afterSequence)
        try pipeline.run(into: &sink)
        return sink.placement
    }

    /// Whether the hole may hold records with event times in `[from, to)` (`nil`: open).
    func overlaps(from: Int64?, to: Int64?) -> Bool {
        (after ?? Int64.min) < (to ?? Int64.max) && (before ?? Int64.max) >= (from ?? Int64.min)
    }

    private struct FirstTwo: ReplaySink {
        let afterSequence: SequenceNumber?
        var placement = GapPlacement()
        var seen = 0

        mutating func deliver(_ record: ReplayRecord) throws -> Bool {
            guard let facts = record.locate() else { return false }
            seen += 1
            if seen == 1, let afterSequence, SequenceNumber.compareDigits(facts.sequenceNumber, afterSequence.text.utf8) == 0 {
                placement.after = facts.eventTimeMillis
                return true  // the next record bounds the hole
            }
            placement.before = facts.eventTimeMillis
            return false
        }
    }
}
