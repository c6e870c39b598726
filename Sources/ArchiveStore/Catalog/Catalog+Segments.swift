import GRDB
import StreamModel

/// Segments: the files, open or sealed.
extension Catalog {
    /// The stream's open segment, if any.
    public func openSegment(streamID: Int64) throws -> SegmentInfo? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM segments WHERE stream_id = ? AND state = 'open'", arguments: [streamID]).map {
                try Self.segmentInfo($0)
            }
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
            return try Self.segmentInfo(row)
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
            try Row.fetchAll(db, sql: "SELECT * FROM segments WHERE stream_id = ? ORDER BY id", arguments: [streamID]).map {
                try Self.segmentInfo($0)
            }
        }
    }

    /// One segment by id.
    public func segment(id: Int64) throws -> SegmentInfo? {
        try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM segments WHERE id = ?", arguments: [id]).map { try Self.segmentInfo($0) } }
    }

    static func segmentInfo(_ row: Row) throws -> SegmentInfo {
        let r = CatalogRow(row, table: "segments")
        let fileName = try r.string("file_name")
        guard CatalogLimits.isSegmentFileName(fileName) else {
            throw r.damaged(
                "file_name",
                "holds '\(fileName.prefix(60))', which is not a segment file name (like 20261123T184000Z-1a2b3c4d.ndjson.zst)"
            )
        }
        let minTime = try r.optionalInt64("min_time")
        let maxTime = try r.optionalInt64("max_time")
        if let minTime, let maxTime, minTime > maxTime { throw r.damaged("max_time", "holds \(maxTime), before min_time \(minTime)") }
        return SegmentInfo(
            id: try r.int64("id"),
            streamID: try r.int64("stream_id"),
            fileName: fileName,
            state: try r.parsed("state", "open or sealed") { SegmentInfo.State(rawValue: $0) },
            committedBytes: try r.int64("committed_bytes", in: 0...Int64(Int32.max) << 16),
            blockCount: try r.int64("block_count", in: 0...Int64.max),
            recordCount: try r.int64("record_count", in: 0...Int64.max),
            rawBytes: try r.int64("raw_bytes", in: 0...Int64.max),
            minTime: minTime,
            maxTime: maxTime,
            sha256: try r.optionalString("sha256"),
            createdAt: try r.int64("created_at"),
            sealedAt: try r.optionalInt64("sealed_at")
        )
    }
}
