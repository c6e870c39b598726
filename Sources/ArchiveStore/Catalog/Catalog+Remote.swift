import GRDB
import StreamModel

/// The object-store tier's state per segment (migration "v7: remote segments").
extension Catalog {
    /// Where a segment's copies are.
    public struct RemoteState: Sendable, Equatable {
        /// `nil`: on this disk only; `uploaded`: in the bucket too; `remote-only`: known from the bucket (sync).
        public var state: String?
        public var etag: String?
        public var uploadedAt: Int64?
        /// When the local file was removed; reads of the segment go to the bucket.
        public var evictedAt: Int64?
    }

    /// Sealed segments of the stream not yet in the bucket, oldest first.
    public func segmentsAwaitingUpload(streamID: Int64) throws -> [SegmentInfo] {
        try database.read { db in
            try SegmentInfo.fetchAll(
                db,
                sql: "SELECT * FROM segments WHERE stream_id = ? AND state = 'sealed' AND remote_state IS NULL ORDER BY id",
                arguments: [streamID]
            )
        }
    }

    /// Records that the segment and its index object are complete in the bucket (call only after both uploads succeeded).
    public func markSegmentUploaded(id: Int64, etag: String, now: Int64) throws {
        try writeReportingFullDisk { db in
            try db.execute(
                sql: "UPDATE segments SET remote_state = 'uploaded', remote_etag = ?, uploaded_at = ? WHERE id = ? AND state = 'sealed'",
                arguments: [etag, now, id]
            )
        }
    }

    /// The remote state of a segment.
    public func remoteState(segmentID: Int64) throws -> RemoteState? {
        try database.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT remote_state, remote_etag, uploaded_at, evicted_at FROM segments WHERE id = ?",
                    arguments: [segmentID]
                )
            else { return nil }
            let r = CatalogRow(row, table: "segments")
            return RemoteState(
                state: try r.optionalString("remote_state"),
                etag: try r.optionalString("remote_etag"),
                uploadedAt: try r.optionalInt64("uploaded_at"),
                evictedAt: try r.optionalInt64("evicted_at")
            )
        }
    }
}

extension Catalog {
    /// Adds segments known from the bucket (their index objects, with the ETag of each segment object) with their
    /// blocks, as sealed and `remote-only` until their files are downloaded, in one transaction. Segments the stream
    /// already has are skipped. Blocks are inserted in sequence order per shard whatever the order of the segments
    /// (reads take a shard's blocks in id order); segments of several nodes interleave in time.
    /// - Returns: The file names added.
    @discardableResult
    public func importRemoteSegments(_ segments: [(index: SegmentIndexObject, etag: String)], streamID: Int64, now: Int64) throws -> [String] {
        try writeReportingFullDisk { db in
            var added: [String] = []
            var shardRows: [String: Int64] = [:]
            var pending: [(segmentID: Int64, shardRow: Int64, first: SequenceNumber, last: SequenceNumber, block: SegmentIndexObject.Block)] = []
            for (index, etag) in segments {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM segments WHERE stream_id = ? AND file_name = ?", arguments: [streamID, index.file])
                    != nil
                {
                    continue
                }
                for shard in index.shards where shardRows[shard.shard] == nil {
                    try db.execute(
                        sql: """
                            INSERT INTO shards (stream_id, shard_id, parent_shard_id, adjacent_parent_shard_id, dedupe, created_at)
                            VALUES (?, ?, ?, ?, ?, ?)
                            ON CONFLICT(stream_id, shard_id) DO UPDATE SET
                                parent_shard_id = coalesce(parent_shard_id, excluded.parent_shard_id),
                                adjacent_parent_shard_id = coalesce(adjacent_parent_shard_id, excluded.adjacent_parent_shard_id)
                            """,
                        arguments: [streamID, shard.shard, shard.parent, shard.adjacentParent, shard.dedupe, now]
                    )
                    shardRows[shard.shard] = try Int64.fetchOne(
                        db,
                        sql: "SELECT id FROM shards WHERE stream_id = ? AND shard_id = ?",
                        arguments: [streamID, shard.shard]
                    )
                }
                try db.execute(
                    sql: """
                        INSERT INTO segments (stream_id, file_name, state, committed_bytes, block_count, record_count, raw_bytes, min_time,
                            max_time, sha256, created_at, sealed_at, remote_state, remote_etag, uploaded_at, evicted_at)
                        VALUES (?, ?, 'sealed', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'remote-only', ?, ?, ?)
                        """,
                    arguments: [
                        streamID, index.file, index.bytes, index.blocks.count, index.recordCount, index.rawBytes, index.minTime, index.maxTime,
                        index.sha256, index.createdAt, index.sealedAt ?? now, etag, now, now,
                    ]
                )
                let segmentID = db.lastInsertedRowID
                added.append(index.file)
                for block in index.blocks {
                    guard let shardRow = shardRows[block.shard], let first = SequenceNumber(block.firstSeq), let last = SequenceNumber(block.lastSeq)
                    else { continue }
                    pending.append((segmentID, shardRow, first, last, block))
                }
            }
            pending.sort { a, b in a.shardRow != b.shardRow ? a.shardRow < b.shardRow : a.first.padded < b.first.padded }
            var maxSpan: Int64 = 0
            var highest: [Int64: SequenceNumber] = [:]
            var counts: [Int64: Int64] = [:]
            for item in pending {
                let block = item.block
                try db.execute(
                    sql: """
                        INSERT INTO blocks (stream_id, segment_id, shard_id, offset, length, record_count, raw_bytes, first_seq, last_seq,
                            min_time, max_time, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        streamID, item.segmentID, item.shardRow, block.offset, block.length, block.count, block.rawBytes, item.first.padded,
                        item.last.padded, block.minTime, block.maxTime, block.format,
                    ]
                )
                counts[item.shardRow, default: 0] += block.count
                maxSpan = max(maxSpan, block.maxTime - block.minTime)
                if let known = highest[item.shardRow], known >= item.last { continue }
                highest[item.shardRow] = item.last
            }
            for (shard, count) in counts {
                try db.execute(sql: "UPDATE shards SET record_count = record_count + ? WHERE id = ?", arguments: [count, shard])
            }
            try db.execute(sql: "UPDATE streams SET max_block_span_ms = max(max_block_span_ms, ?) WHERE id = ?", arguments: [maxSpan, streamID])
            for (shard, seq) in highest {
                try db.execute(
                    sql: "UPDATE shards SET checkpoint = ?, checkpoint_text = ? WHERE id = ? AND coalesce(checkpoint, '') < ?",
                    arguments: [seq.padded, seq.text, shard, seq.padded]
                )
            }
            return added
        }
    }

    /// Segments of the stream known from the bucket whose file is not on this disk, oldest first.
    public func remoteOnlySegments(streamID: Int64) throws -> [SegmentInfo] {
        try database.read { db in
            try SegmentInfo.fetchAll(
                db,
                sql: "SELECT * FROM segments WHERE stream_id = ? AND remote_state = 'remote-only' ORDER BY id",
                arguments: [streamID]
            )
        }
    }

    /// Records that a segment's file was downloaded from the bucket and checked: it is local and uploaded.
    public func markSegmentDownloaded(id: Int64) throws {
        try writeReportingFullDisk { db in
            try db.execute(sql: "UPDATE segments SET remote_state = 'uploaded', evicted_at = NULL WHERE id = ?", arguments: [id])
        }
    }
}

extension Catalog {
    /// Sealed segments of the stream that are in the bucket (evicted or not): what eviction may remove from this disk.
    public func evictableSegments(streamID: Int64) throws -> [SegmentInfo] {
        try database.read { db in
            try SegmentInfo.fetchAll(
                db,
                sql: "SELECT * FROM segments WHERE stream_id = ? AND state = 'sealed' AND remote_state = 'uploaded' ORDER BY id",
                arguments: [streamID]
            )
        }
    }

    /// Records that an uploaded segment's local file is (about to be) removed. Returns `false` if it is not uploaded.
    @discardableResult
    public func markSegmentEvicted(id: Int64, now: Int64) throws -> Bool {
        try writeReportingFullDisk { db in
            try db.execute(
                sql: "UPDATE segments SET evicted_at = coalesce(evicted_at, ?) WHERE id = ? AND state = 'sealed' AND remote_state = 'uploaded'",
                arguments: [now, id]
            )
            return db.changesCount == 1
        }
    }
}

extension Catalog {
    /// Segments retention removed whose copy in the bucket is still to be deleted, oldest first.
    public func remoteDeletions(streamID: Int64) throws -> [String] {
        try database.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT file_name FROM remote_deletions WHERE stream_id = ? ORDER BY requested_at, file_name",
                arguments: [streamID]
            )
        }
    }

    /// Records that a segment's bucket copy and index object are deleted.
    public func clearRemoteDeletion(streamID: Int64, fileName: String) throws {
        try writeReportingFullDisk { db in
            try db.execute(sql: "DELETE FROM remote_deletions WHERE stream_id = ? AND file_name = ?", arguments: [streamID, fileName])
        }
    }
}
