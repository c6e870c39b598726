import Foundation
import GRDB
public import StreamModel

/// Retention: per-stream days, holds (mirrored from the audit log), deletions under way, trimmed boundaries.
extension Catalog {
    /// Sets a stream's retention in days (0: forever).
    public func setRetention(streamID: Int64, days: Int) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE streams SET retention_days = ? WHERE id = ?", arguments: [days, streamID])
        }
    }

    /// Holds, of one stream or all, by id.
    public func holds(streamID: Int64? = nil) throws -> [HoldInfo] {
        try database.read { db in try Self.fetchHolds(db, streamID: streamID) }
    }

    static func fetchHolds(_ db: Database, streamID: Int64?) throws -> [HoldInfo] {
        let filter = streamID == nil ? "" : "WHERE h.stream_id = ?"
        var arguments = StatementArguments()
        if let streamID { arguments += [streamID] }
        return try Row.fetchAll(
            db,
            sql: "SELECT h.*, s.name AS stream FROM holds h JOIN streams s ON s.id = h.stream_id \(filter) ORDER BY h.id",
            arguments: arguments
        ).map { row in
            let r = CatalogRow(row, table: "holds")
            return HoldInfo(
                id: try r.int64("id"),
                stream: try r.string("stream"),
                from: try r.int64("from_time"),
                to: try r.int64("to_time"),
                reason: try r.string("reason"),
                createdAt: try r.int64("created_at")
            )
        }
    }

    /// Makes the holds table hold exactly `holds` (the audit log's live holds).
    public func mirrorHolds(_ holds: [HoldInfo]) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM holds")
            for hold in holds {
                guard let streamID = try Int64.fetchOne(db, sql: "SELECT id FROM streams WHERE name = ?", arguments: [hold.stream]) else { continue }
                try db.execute(
                    sql: "INSERT INTO holds (id, stream_id, from_time, to_time, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [hold.id, streamID, hold.from, hold.to, hold.reason, hold.createdAt]
                )
            }
        }
    }

    /// Records that retention is deleting a segment (before its audit entry, its rows and its file go).
    public func markDeletion(streamID: Int64, fileName: String, cutoff: Int64, now: Int64) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO segment_deletions (stream_id, file_name, cutoff, started_at) VALUES (?, ?, ?, ?)",
                arguments: [streamID, fileName, cutoff, now]
            )
        }
    }

    /// Deletions under way (a crash interrupted them): file name and cutoff.
    public func deletionsUnderWay(streamID: Int64) throws -> [(fileName: String, cutoff: Int64)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT file_name, cutoff FROM segment_deletions WHERE stream_id = ? ORDER BY file_name", arguments: [streamID])
                .map { row in
                    let r = CatalogRow(row, table: "segment_deletions")
                    return (try r.string("file_name"), try r.int64("cutoff"))
                }
        }
    }

    /// The deletion of `fileName` is complete.
    public func clearDeletion(streamID: Int64, fileName: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM segment_deletions WHERE stream_id = ? AND file_name = ?", arguments: [streamID, fileName])
        }
    }

    /// Removes a segment's rows in one transaction: its blocks (with their event-id keys), the segment, the keys of
    /// its records migrated from before catalog v6 (`migratedEventIDKeys` per shard row), and the records from the
    /// shards' totals; each shard's trimmed boundary moves up to the segment's highest sequence number in it.
    func deleteSegmentRows(segmentID: Int64, migratedEventIDKeys: [Int64: [EventIDKey]]) throws {
        try writeReportingFullDisk { db in
            let perShard = try Row.fetchAll(
                db,
                sql: "SELECT shard_id, sum(record_count) AS records, max(last_seq) AS highest FROM blocks WHERE segment_id = ? GROUP BY shard_id",
                arguments: [segmentID]
            )
            for row in perShard {
                let r = CatalogRow(row, table: "blocks")
                let shard = try r.int64("shard_id")
                try db.execute(
                    sql: """
                        UPDATE shards SET record_count = record_count - ?,
                            trimmed_through = CASE WHEN coalesce(trimmed_through, '') < ? THEN ? ELSE trimmed_through END WHERE id = ?
                        """,
                    arguments: [try r.int64("records"), try r.string("highest"), try r.string("highest"), shard]
                )
            }
            let deleteKey = try db.cachedStatement(sql: "DELETE FROM event_id_keys WHERE shard_id = ? AND key = ?")
            var bytes: [UInt8] = []
            for (shard, keys) in migratedEventIDKeys {
                for key in keys {
                    bytes.removeAll(keepingCapacity: true)
                    key.append(to: &bytes)
                    try deleteKey.execute(arguments: [shard, Data(bytes)])
                }
            }
            try db.execute(sql: "DELETE FROM blocks WHERE segment_id = ?", arguments: [segmentID])
            try db.execute(sql: "DELETE FROM segments WHERE id = ?", arguments: [segmentID])
        }
    }

    /// Where retention has trimmed `shard` of `stream`, or nil when it has deleted nothing of it. A reader asking
    /// for records at or below ``RetentionBoundary/trimmedThrough`` asks for data that is gone (the server answers
    /// TrimmedDataAccessException).
    public func retainedFrom(stream: String, shard: String) throws -> RetentionBoundary? {
        try database.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT s.id, s.trimmed_through FROM shards s JOIN streams t ON t.id = s.stream_id WHERE t.name = ? AND s.shard_id = ?",
                    arguments: [stream, shard]
                )
            else { return nil }
            let r = CatalogRow(row, table: "shards")
            guard let trimmed = try r.optionalParsed("trimmed_through", "a zero-padded sequence number", { SequenceNumber(padded: $0) }) else {
                return nil
            }
            let first = try String.fetchOne(db, sql: "SELECT min(first_seq) FROM blocks WHERE shard_id = ?", arguments: [try r.int64("id")])
            return RetentionBoundary(trimmedThrough: trimmed, firstRetained: first.flatMap { SequenceNumber(padded: $0) })
        }
    }
}

extension AsyncCatalogReader {
    /// The highest sequence number retention deleted from the shard, or `nil` when it deleted nothing of it.
    public func trimmedThrough(shardRowID: Int64) async throws -> SequenceNumber? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT trimmed_through FROM shards WHERE id = ?", arguments: [shardRowID]).flatMap {
                SequenceNumber(padded: $0)
            }
        }
    }
}
