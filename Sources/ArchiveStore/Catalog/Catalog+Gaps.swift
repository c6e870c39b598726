import GRDB
public import StreamModel

/// Gaps: records the archive knows it missed.
extension Catalog {
    /// Records that the archive missed records of a shard after `afterSequence`, and why.
    public func recordGap(streamID: Int64, shardRowID: Int64, afterSequence: SequenceNumber?, reason: String, now: Int64) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO gaps (stream_id, shard_id, after_seq, detected_at, reason) VALUES (?, ?, ?, ?, ?)",
                arguments: [streamID, shardRowID, afterSequence?.padded, now, reason]
            )
        }
    }

    /// The stream's known gaps, oldest first.
    public func gaps(streamID: Int64) throws -> [GapInfo] {
        try database.read { db in try Self.fetchGaps(db, streamID: streamID) }
    }

    static func fetchGaps(_ db: Database, streamID: Int64) throws -> [GapInfo] {
        try Row.fetchAll(
            db,
            sql: "SELECT g.*, s.shard_id AS shard_name FROM gaps g JOIN shards s ON s.id = g.shard_id WHERE g.stream_id = ? ORDER BY g.id",
            arguments: [streamID]
        ).map { row in
            let r = CatalogRow(row, table: "gaps")
            return GapInfo(
                id: try r.int64("id"),
                streamID: try r.int64("stream_id"),
                shardID: try r.string("shard_name"),
                afterSequence: try r.optionalParsed("after_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) },
                detectedAt: try r.int64("detected_at"),
                reason: try r.string("reason")
            )
        }
    }
}
