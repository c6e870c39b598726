import GRDB
public import StreamModel

/// What a shard holds, from the block index: its sequence and time range and its size (no file is read).
public struct ShardExtent: Sendable, Equatable {
    /// The shard's catalog row id.
    public var shardRowID: Int64
    /// The lowest sequence number held.
    public var firstSequence: SequenceNumber
    /// The highest sequence number held.
    public var lastSequence: SequenceNumber
    /// The earliest event time held, epoch ms.
    public var minTime: Int64
    /// The latest event time held, epoch ms.
    public var maxTime: Int64
    /// Records held.
    public var records: Int64
}

/// A known hole in a shard, with where the archive has records again.
public struct ShardGapSpan: Sendable, Equatable {
    /// The last record before the hole (`nil`: the hole is at the shard's start).
    public var afterSequence: SequenceNumber?
    /// The first record held after the hole (`nil`: none yet).
    public var resumesAt: SequenceNumber?

    public init(afterSequence: SequenceNumber?, resumesAt: SequenceNumber?) {
        self.afterSequence = afterSequence
        self.resumesAt = resumesAt
    }
}

extension AsyncCatalogReader {
    /// The extent of each shard of the stream that holds records (empty shards are absent).
    public func shardExtents(streamID: Int64) async throws -> [ShardExtent] {
        try await catalog.database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT shard_id, min(first_seq) AS first_seq, max(last_seq) AS last_seq, min(min_time) AS min_time,
                        max(max_time) AS max_time, sum(record_count) AS records
                    FROM blocks WHERE stream_id = ? GROUP BY shard_id
                    """,
                arguments: [streamID]
            ).map { row in
                let r = CatalogRow(row, table: "blocks (extent of a shard of stream \(streamID))")
                return ShardExtent(
                    shardRowID: try r.int64("shard_id"),
                    firstSequence: try r.parsed("first_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) },
                    lastSequence: try r.parsed("last_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) },
                    minTime: try r.int64("min_time"),
                    maxTime: try r.int64("max_time"),
                    records: try r.int64("records")
                )
            }
        }
    }

    /// The shard's known gaps, oldest first, each with the first sequence number held after it.
    public func gapSpans(shardRowID: Int64) async throws -> [ShardGapSpan] {
        try await catalog.database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT g.id, g.after_seq, (SELECT min(b.first_seq) FROM blocks b WHERE b.shard_id = g.shard_id
                        AND b.first_seq > coalesce(g.after_seq, '')) AS resumes
                    FROM gaps g WHERE g.shard_id = ? ORDER BY g.id
                    """,
                arguments: [shardRowID]
            ).map { row in
                let r = CatalogRow(row, table: "gaps")
                return ShardGapSpan(
                    afterSequence: try r.optionalParsed("after_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) },
                    resumesAt: try r.optionalParsed("resumes", "a zero-padded sequence number") { SequenceNumber(padded: $0) }
                )
            }
        }
    }
}

/// A stream's size on disk and record count, for the server's metrics.
public struct StreamSize: Sendable, Equatable {
    public var stream: String
    public var records: Int64
    public var storedBytes: Int64
}

extension AsyncCatalogReader {
    /// Every stream's committed bytes and records (from the segment rows; no file is read).
    public func streamSizes() async throws -> [StreamSize] {
        try await catalog.database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.name, coalesce(sum(g.record_count), 0) AS records, coalesce(sum(g.committed_bytes), 0) AS stored
                    FROM streams s LEFT JOIN segments g ON g.stream_id = s.id GROUP BY s.id ORDER BY s.name
                    """
            ).map { row in
                let r = CatalogRow(row, table: "streams (sizes)")
                return StreamSize(stream: try r.string("name"), records: try r.int64("records"), storedBytes: try r.int64("stored"))
            }
        }
    }
}
