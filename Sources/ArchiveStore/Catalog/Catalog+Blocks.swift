import Foundation
import GRDB
public import StreamModel

/// Block queries: by time window, by sequence range, by stream and by segment.
extension Catalog {
    /// Blocks whose time range meets `[from, to)`, by id (= commit order).
    ///
    /// Uses the `(stream_id, min_time)` index over `[from - widest block span, to)`, so the cost depends on the
    /// window, not on the archive's size.
    public func blocks(streamID: Int64, timeFrom from: Int64, timeTo to: Int64) throws -> [BlockInfo] {
        try database.read { db in try Self.fetchBlocks(db, streamID: streamID, timeFrom: from, timeTo: to) }
    }

    static func fetchBlocks(_ db: Database, streamID: Int64, timeFrom from: Int64, timeTo to: Int64) throws -> [BlockInfo] {
        let span =
            try Row.fetchOne(db, sql: "SELECT id, max_block_span_ms FROM streams WHERE id = ?", arguments: [streamID]).map {
                try CatalogRow($0, table: "streams").int64("max_block_span_ms", in: 0...Int64.max)
            } ?? 0
        let (difference, overflow) = from.subtractingReportingOverflow(span)
        let lower = overflow ? Int64.min : difference
        return try BlockInfo.fetchAll(
            db,
            sql: """
                SELECT * FROM blocks WHERE stream_id = ? AND min_time >= ? AND min_time < ? AND max_time >= ? ORDER BY id
                """,
            arguments: [streamID, lower, to, from]
        )
    }

    /// A shard's blocks that may hold sequence numbers in `[from, to]` (inclusive), by id.
    public func blocks(shardRowID: Int64, sequenceFrom from: SequenceNumber?, sequenceTo to: SequenceNumber?) throws -> [BlockInfo] {
        try database.read { db in try Self.fetchBlocks(db, shardRowID: shardRowID, sequenceFrom: from, sequenceTo: to) }
    }

    static func fetchBlocks(
        _ db: Database,
        shardRowID: Int64,
        sequenceFrom from: SequenceNumber?,
        sequenceTo to: SequenceNumber?
    ) throws -> [BlockInfo] {
        try BlockInfo.fetchAll(
            db,
            sql: "SELECT * FROM blocks WHERE shard_id = ? AND last_seq >= ? AND first_seq <= ? ORDER BY id",
            arguments: [shardRowID, from?.padded ?? "", to?.padded ?? String(repeating: "9", count: SequenceNumber.paddedWidth)]
        )
    }

    /// Every block of the stream, by id.
    public func blocks(streamID: Int64) throws -> [BlockInfo] {
        try database.read { db in
            try BlockInfo.fetchAll(db, sql: "SELECT * FROM blocks WHERE stream_id = ? ORDER BY id", arguments: [streamID])
        }
    }

    /// Every block of a segment, in file order.
    public func blocks(segmentID: Int64) throws -> [BlockInfo] {
        try database.read { db in
            try BlockInfo.fetchAll(db, sql: "SELECT * FROM blocks WHERE segment_id = ? ORDER BY offset", arguments: [segmentID])
        }
    }

}

/// Item-key filters of blocks (``BlockKeyFilter``).
extension Catalog {
    /// Calls `body` with each key filter of the blocks whose ids are in `ids` (blocks without one are not passed).
    public func blockKeyFilters(ids: ClosedRange<Int64>, _ body: (_ blockID: Int64, _ filter: [UInt8]) throws -> Void) throws {
        try database.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT block_id, filter FROM block_key_filters WHERE block_id BETWEEN ? AND ?",
                arguments: [ids.lowerBound, ids.upperBound]
            )
            while let row = try rows.next() {
                let id: Int64 = row[0]
                let data: Data = row[1]
                try body(id, [UInt8](data))
            }
        }
    }
}
