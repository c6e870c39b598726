import GRDB
import StreamModel

/// Segments: the files, open or sealed.
extension Catalog {
    /// The stream's open segment, if any.
    public func openSegment(streamID: Int64) throws -> SegmentInfo? {
        try database.read { db in
            try SegmentInfo.fetchOne(db, sql: "SELECT * FROM segments WHERE stream_id = ? AND state = 'open'", arguments: [streamID])
        }
    }

    /// Registers a new open segment whose file holds only its header (`committedBytes` long).
    public func createSegment(streamID: Int64, fileName: String, committedBytes: Int64, now: Int64) throws -> SegmentInfo {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO segments (stream_id, file_name, state, committed_bytes, created_at) VALUES (?, ?, 'open', ?, ?)",
                arguments: [streamID, fileName, committedBytes, now]
            )
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM segments WHERE id = ?", arguments: [db.lastInsertedRowID]) else {
                throw ArchiveError(code: .catalogMismatch, message: "Segment '\(fileName)' vanished from the catalog while it was being created.")
            }
            return try SegmentInfo(row: row)
        }
    }

    /// The id the next segment will get (used to name its file before the row exists).
    public func nextSegmentID() throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM segments") ?? 1 }
    }

    /// Seals a segment: no more blocks; its file's SHA-256 is recorded for verification.
    public func sealSegment(id: Int64, sha256: String, now: Int64) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE segments SET state = 'sealed', sha256 = ?, sealed_at = ? WHERE id = ?", arguments: [sha256, now, id])
        }
    }

    /// The stream's segments, oldest first.
    public func segments(streamID: Int64) throws -> [SegmentInfo] {
        try database.read { db in
            try SegmentInfo.fetchAll(db, sql: "SELECT * FROM segments WHERE stream_id = ? ORDER BY id", arguments: [streamID])
        }
    }

    /// One segment by id.
    public func segment(id: Int64) throws -> SegmentInfo? {
        try database.read { db in try SegmentInfo.fetchOne(db, sql: "SELECT * FROM segments WHERE id = ?", arguments: [id]) }
    }

}
