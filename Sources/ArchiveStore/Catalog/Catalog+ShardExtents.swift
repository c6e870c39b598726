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
                        max(max_time) AS max_time
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
                    maxTime: try r.int64("max_time")
                )
            }
        }
    }

    /// One shard's extent from its first and last blocks by the `(shard_id, last_seq)` index (two index look-ups,
    /// whatever the shard's length); `nil` for an empty shard. On an event-id shard, whose blocks may overlap, the
    /// ends are those of the first and last blocks.
    public func shardExtent(shardRowID: Int64) async throws -> ShardExtent? {
        try await catalog.database.read { db in
            let sql = "SELECT id, first_seq, last_seq, min_time, max_time FROM blocks WHERE shard_id = ? ORDER BY last_seq"
            guard let first = try Row.fetchOne(db, sql: sql + " LIMIT 1", arguments: [shardRowID]),
                let last = try Row.fetchOne(db, sql: sql + " DESC LIMIT 1", arguments: [shardRowID])
            else { return nil }
            let head = CatalogRow(first, table: "blocks")
            let tail = CatalogRow(last, table: "blocks")
            return ShardExtent(
                shardRowID: shardRowID,
                firstSequence: try head.parsed("first_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) },
                lastSequence: try tail.parsed("last_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) },
                minTime: try head.int64("min_time"),
                maxTime: try tail.int64("max_time")
            )
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

/// A block's place in its shard, for bounding a read: its last sequence number and its size.
public struct BlockSpan: Sendable, Equatable {
    public var lastSequence: SequenceNumber
    public var records: Int64
    public var rawBytes: Int64

    public init(lastSequence: SequenceNumber, records: Int64, rawBytes: Int64) {
        self.lastSequence = lastSequence
        self.records = records
        self.rawBytes = rawBytes
    }
}

extension Catalog {
    /// Up to `limit` blocks of a shard whose last sequence number is at or above `from`, in sequence order, by the
    /// `(shard_id, last_seq)` index: the cost depends on `limit`, not on the shard's length. Blocking: call it
    /// off the cooperative pool.
    public func blockSpans(shardRowID: Int64, from: SequenceNumber?, limit: Int) throws -> [BlockSpan] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, last_seq, record_count, raw_bytes FROM blocks WHERE shard_id = ? AND last_seq >= ? ORDER BY last_seq LIMIT ?",
                arguments: [shardRowID, from?.padded ?? "", limit]
            ).map { row in
                let r = CatalogRow(row, table: "blocks")
                return BlockSpan(
                    lastSequence: try r.parsed("last_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) },
                    records: try r.int64("record_count"),
                    rawBytes: try r.int64("raw_bytes")
                )
            }
        }
    }
}
