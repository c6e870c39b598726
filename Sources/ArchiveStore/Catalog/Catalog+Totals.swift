import GRDB

/// A stream's size and time range, as `streamvault stats` shows them.
public struct StreamTotals: Sendable, Equatable {
    public var records: Int64
    public var rawBytes: Int64
    public var storedBytes: Int64
    public var segments: Int64
    public var blocks: Int64
    public var shards: Int64
    public var gaps: Int64
    public var minTime: Int64?
    public var maxTime: Int64?
}

extension Catalog {
    /// Totals of one stream, from the segment rows (no file is read).
    public func totals(streamID: Int64) throws -> StreamTotals {
        try database.read { db in try Self.fetchTotals(db, streamID: streamID) }
    }

    static func fetchTotals(_ db: Database, streamID: Int64) throws -> StreamTotals {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(record_count), 0) AS records, coalesce(sum(raw_bytes), 0) AS raw, coalesce(sum(committed_bytes), 0) AS stored,
                        count(*) AS segments, coalesce(sum(block_count), 0) AS blocks, min(min_time) AS min_time, max(max_time) AS max_time
                    FROM segments WHERE stream_id = ?
                    """,
                arguments: [streamID]
            )
        else { throw ArchiveError(code: .catalogCorrupt, message: "SQLite returned no totals row for stream \(streamID).") }
        let r = CatalogRow(row, table: "segments (totals of stream \(streamID))")
        let shards = try Int64.fetchOne(db, sql: "SELECT count(*) FROM shards WHERE stream_id = ?", arguments: [streamID]) ?? 0
        let gaps = try Int64.fetchOne(db, sql: "SELECT count(*) FROM gaps WHERE stream_id = ?", arguments: [streamID]) ?? 0
        return StreamTotals(
            records: try r.int64("records"),
            rawBytes: try r.int64("raw"),
            storedBytes: try r.int64("stored"),
            segments: try r.int64("segments"),
            blocks: try r.int64("blocks"),
            shards: shards,
            gaps: gaps,
            minTime: try r.optionalInt64("min_time"),
            maxTime: try r.optionalInt64("max_time")
        )
    }
}
