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
        return try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM blocks WHERE stream_id = ? AND min_time >= ? AND min_time < ? AND max_time >= ? ORDER BY id
                """,
            arguments: [streamID, lower, to, from]
        ).map { try Self.blockInfo($0) }
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
        try Row.fetchAll(
            db,
            sql: "SELECT * FROM blocks WHERE shard_id = ? AND last_seq >= ? AND first_seq <= ? ORDER BY id",
            arguments: [shardRowID, from?.padded ?? "", to?.padded ?? String(repeating: "9", count: SequenceNumber.paddedWidth)]
        ).map { try Self.blockInfo($0) }
    }

    /// Every block of the stream, by id.
    public func blocks(streamID: Int64) throws -> [BlockInfo] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM blocks WHERE stream_id = ? ORDER BY id", arguments: [streamID]).map { try Self.blockInfo($0) }
        }
    }

    /// Every block of a segment, in file order.
    public func blocks(segmentID: Int64) throws -> [BlockInfo] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM blocks WHERE segment_id = ? ORDER BY offset", arguments: [segmentID]).map {
                try Self.blockInfo($0)
            }
        }
    }

    static func blockInfo(_ row: Row) throws -> BlockInfo {
        let r = CatalogRow(row, table: "blocks")
        let minTime = try r.int64("min_time")
        let maxTime = try r.int64("max_time")
        guard minTime <= maxTime else { throw r.damaged("max_time", "holds \(maxTime), before min_time \(minTime)") }
        let firstSeq = try r.parsed("first_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) }
        let lastSeq = try r.parsed("last_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) }
        guard firstSeq.padded <= lastSeq.padded else { throw r.damaged("last_seq", "is below first_seq") }
        return BlockInfo(
            id: try r.int64("id"),
            streamID: try r.int64("stream_id"),
            segmentID: try r.int64("segment_id"),
            shardRowID: try r.int64("shard_id"),
            offset: try r.int64("offset", in: Int64(SkippableFrame.headerSize)...(Int64(Int32.max) << 16)),
            length: try r.int64("length", in: Int64(SkippableFrame.headerSize + 1)...CatalogLimits.maxBlockBytes),
            recordCount: try r.int64("record_count", in: 1...CatalogLimits.maxRawBlockBytes),
            rawBytes: try r.int64("raw_bytes", in: 0...CatalogLimits.maxRawBlockBytes),
            firstSeq: firstSeq,
            lastSeq: lastSeq,
            minTime: minTime,
            maxTime: maxTime,
            format: try r.parsed("format", "a record format (native, lambda-dynamodb, kinesis-record, ...)") { RecordFormat(rawValue: $0) }
        )
    }
}
