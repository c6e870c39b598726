import Foundation
import GRDB
public import StreamModel

/// Commits: block rows, totals, checkpoints and event ids in one transaction; event-id look-ups.
extension Catalog {
    /// Applies one commit in a single transaction: block rows, segment totals, shard checkpoints, event ids.
    ///
    /// Call only after the blocks' bytes are fsynced: once this returns, the records are acknowledged.
    public func commit(_ commit: BlockCommit) throws {
        try writeReportingFullDisk { db in
            let insertBlock = try db.cachedStatement(
                sql: """
                    INSERT INTO blocks (stream_id, segment_id, shard_id, offset, length, record_count, raw_bytes, first_seq, last_seq,
                        min_time, max_time, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            let insertKeyFilter = try db.cachedStatement(sql: "INSERT INTO block_key_filters (block_id, filter) VALUES (?, ?)")
            var records: Int64 = 0
            var raw: Int64 = 0
            var minTime = Int64.max
            var maxTime = Int64.min
            var maxSpan: Int64 = 0
            var perShard: [Int64: Int64] = [:]
            for block in commit.blocks {
                let h = block.header
                try insertBlock.execute(arguments: [
                    commit.streamID, commit.segmentID, block.shardRowID, block.offset, block.length, h.count, h.rawBytes,
                    SequenceNumber(h.firstSeq)?.padded, SequenceNumber(h.lastSeq)?.padded, h.minTime, h.maxTime, h.format,
                ])
                if let filter = block.keyFilter {
                    try insertKeyFilter.execute(arguments: [db.lastInsertedRowID, filter.withUnsafeBytes { Data($0) }])
                }
                records += Int64(h.count)
                raw += Int64(h.rawBytes)
                minTime = min(minTime, h.minTime)
                maxTime = max(maxTime, h.maxTime)
                maxSpan = max(maxSpan, h.timeSpanMillis)
                perShard[block.shardRowID, default: 0] += Int64(h.count)
            }
            try db.execute(
                sql: """
                    UPDATE segments SET committed_bytes = ?, block_count = block_count + ?, record_count = record_count + ?,
                        raw_bytes = raw_bytes + ?, min_time = min(coalesce(min_time, ?), ?), max_time = max(coalesce(max_time, ?), ?) WHERE id = ?
                    """,
                arguments: [commit.committedBytes, commit.blocks.count, records, raw, minTime, minTime, maxTime, maxTime, commit.segmentID]
            )
            try db.execute(
                sql: "UPDATE streams SET max_block_span_ms = max(max_block_span_ms, ?) WHERE id = ?",
                arguments: [maxSpan, commit.streamID]
            )
            for (shard, count) in perShard {
                try db.execute(sql: "UPDATE shards SET record_count = record_count + ? WHERE id = ?", arguments: [count, shard])
            }
            try Self.advance(db, commit.checkpoints)
            let insertEventID = try db.cachedStatement(sql: "INSERT OR IGNORE INTO event_ids (shard_id, event_id) VALUES (?, ?)")
            for (shard, ids) in commit.eventIDs {
                for id in ids {
                    try insertEventID.execute(arguments: [shard, id.withUnsafeBytes { Data($0) }])
                }
            }
        }
    }

    /// Moves shard checkpoints forward (never back) without new blocks: the records read were all duplicates.
    public func advanceCheckpoints(_ checkpoints: [Int64: SequenceNumber]) throws {
        try writeReportingFullDisk { db in try Self.advance(db, checkpoints) }
    }

    private static func advance(_ db: Database, _ checkpoints: [Int64: SequenceNumber]) throws {
        for (shard, seq) in checkpoints {
            try db.execute(
                sql: "UPDATE shards SET checkpoint = ?, checkpoint_text = ? WHERE id = ? AND coalesce(checkpoint, '') < ?",
                arguments: [seq.padded, seq.text, shard, seq.padded]
            )
        }
    }

    /// Which of `candidates` the shard already holds (event-id dedupe).
    public func existingEventIDs(shardRowID: Int64, candidates: [[UInt8]]) throws -> Set<[UInt8]> {
        guard !candidates.isEmpty else { return [] }
        return try database.read { db in
            let statement = try db.cachedStatement(sql: "SELECT 1 FROM event_ids WHERE shard_id = ? AND event_id = ?")
            var found = Set<[UInt8]>()
            for id in candidates where try Bool.fetchOne(statement, arguments: [shardRowID, id.withUnsafeBytes { Data($0) }]) != nil {
                found.insert(id)
            }
            return found
        }
    }
}
