import Foundation
import GRDB
public import StreamModel

/// Commits: block rows, totals, checkpoints and event-id keys in one transaction.
extension Catalog {
    /// Applies one commit in a single transaction: block rows (with their key filters and event-id keys), segment
    /// totals, shard checkpoints.
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
            let insertEventIDKeys = try db.cachedStatement(sql: "INSERT INTO block_event_ids (block_id, keys) VALUES (?, ?)")
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
                let blockID = db.lastInsertedRowID
                if let filter = block.keyFilter {
                    try insertKeyFilter.execute(arguments: [blockID, filter.withUnsafeBytes { Data($0) }])
                }
                if let keys = block.eventIDKeys {
                    try insertEventIDKeys.execute(arguments: [blockID, keys.withUnsafeBytes { Data($0) }])
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
}
