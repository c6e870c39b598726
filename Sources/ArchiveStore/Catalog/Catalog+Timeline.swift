import GRDB
import StreamModel

/// Records archived per time bucket, for the status page's chart.
public struct TimelineBucket: Sendable, Equatable {
    /// Start of the bucket, epoch milliseconds.
    public var start: Int64
    /// Records whose block starts in the bucket.
    public var records: Int64
}

/// A gap placed on the time axis: the event time of the last record archived before it.
public struct GapMark: Sendable, Equatable {
    public var gap: GapInfo
    /// Event time of the last record before the gap, or when the gap was detected if none was archived before it.
    public var time: Int64
}

extension AsyncCatalogReader {
    /// Records per bucket of `bucketMillis` from `from` on (`count` buckets). A block's records are spread evenly
    /// over its time range (a block of a big ingested file can span hours; one of the archiver, seconds).
    public func timeline(streamID: Int64, from: Int64, bucketMillis: Int64, count: Int) async throws -> [TimelineBucket] {
        precondition(bucketMillis > 0 && count > 0)
        let end = from + bucketMillis * Int64(count)
        let blocks = try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT min_time, max_time, record_count FROM blocks WHERE stream_id = ? AND max_time >= ? AND min_time < ?",
                arguments: [streamID, from, end]
            ).map { row in
                let r = CatalogRow(row, table: "blocks (timeline of stream \(streamID))")
                return (min: try r.int64("min_time"), max: try r.int64("max_time"), records: try r.int64("record_count"))
            }
        }
        var counts = [Double](repeating: 0, count: count)
        for block in blocks {
            let span = Double(max(block.max - block.min, 0) + 1)
            let first = Int(max((block.min - from) / bucketMillis, 0))
            let last = Int(min((block.max - from) / bucketMillis, Int64(count - 1)))
            guard first <= last else { continue }
            for index in first...last {
                let bucketStart = from + Int64(index) * bucketMillis
                let overlap = min(block.max + 1, bucketStart + bucketMillis) - max(block.min, bucketStart)
                counts[index] += Double(block.records) * Double(max(overlap, 0)) / span
            }
        }
        return counts.enumerated().map { TimelineBucket(start: from + Int64($0.offset) * bucketMillis, records: Int64($0.element.rounded())) }
    }

    /// Holds of one stream, or of all (``Catalog/holds(streamID:)``).
    public func holds(streamID: Int64? = nil) async throws -> [HoldInfo] {
        try await read { db in try Catalog.fetchHolds(db, streamID: streamID) }
    }

    /// Totals of one stream (``Catalog/totals(streamID:)``).
    public func totals(streamID: Int64) async throws -> StreamTotals {
        try await read { db in try Catalog.fetchTotals(db, streamID: streamID) }
    }

    /// The stream's gaps, each placed at the event time where it begins.
    public func gapMarks(streamID: Int64) async throws -> [GapMark] {
        try await read { db in
            try Catalog.fetchGaps(db, streamID: streamID).map { gap in
                var time = gap.detectedAt
                if let after = gap.afterSequence,
                    let found = try Int64.fetchOne(
                        db,
                        sql: """
                            SELECT b.max_time FROM blocks b JOIN shards s ON s.id = b.shard_id
                            WHERE s.stream_id = ? AND s.shard_id = ? AND b.first_seq <= ? ORDER BY b.last_seq DESC LIMIT 1
                            """,
                        arguments: [streamID, gap.shardID, after.padded]
                    )
                {
                    time = found
                }
                return GapMark(gap: gap, time: time)
            }
        }
    }
}
