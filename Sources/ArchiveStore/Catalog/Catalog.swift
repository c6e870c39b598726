import Foundation
public import GRDB
public import StreamModel

#if canImport(Glibc)
import Glibc
#endif

/// The SQLite catalog (GRDB, WAL): streams, shards, segments, blocks, event ids and gaps.
///
/// Several processes may open the same catalog (one writer per stream, any number of readers); SQLite's
/// WAL mode gives each read a consistent snapshot, and writers wait on a busy timeout.
public final class Catalog: Sendable {
    /// The database connection(s): a `DatabasePool` on disk, or any writer in tests.
    public let database: any DatabaseWriter

    /// Opens (creating if needed) the catalog at `path` and migrates it.
    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        // Opening a fresh catalog switches it to WAL and creates its tables; two processes doing that at
        // once collide (SQLITE_BUSY on the WAL switch, "table already exists" in the migration). A short
        // exclusive flock on `<catalog>.lock` serialises opening only; using the catalog is not locked.
        let lockPath = path + ".lock"
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw ArchiveError.io("Opening lock file", path: lockPath, errno: errno) }
        defer { _ = close(lock) }  // closing releases the flock
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw ArchiveError.io("Locking", path: lockPath, errno: errno) }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try self.init(database: pool)
    }

    /// Uses an existing database (an in-memory `DatabaseQueue` in tests) and migrates it.
    public init(database: any DatabaseWriter) throws {
        self.database = database
        try CatalogSchema.migrator.migrate(database)
    }

    // MARK: Streams

    /// The stream named `name`, creating it if needed. Source details fill in only what is still unknown.
    public func ensureStream(
        _ name: String,
        source: StreamSourceKind,
        arn: String? = nil,
        region: String? = nil,
        tableName: String? = nil,
        viewType: String? = nil,
        now: Int64
    ) throws -> StreamInfo {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO streams (name, source, arn, region, table_name, view_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET arn = coalesce(arn, excluded.arn), region = coalesce(region, excluded.region),
                        table_name = coalesce(table_name, excluded.table_name), view_type = coalesce(view_type, excluded.view_type)
                    """,
                arguments: [name, source.rawValue, arn, region, tableName, viewType, now]
            )
            return try Self.fetchStream(db, name: name)!
        }
    }

    /// The stream named `name`, or `nil`.
    public func stream(named name: String) throws -> StreamInfo? {
        try database.read { db in try Self.fetchStream(db, name: name) }
    }

    /// The stream named `name`, or an error listing the known streams.
    public func requireStream(_ name: String) throws -> StreamInfo {
        if let stream = try stream(named: name) { return stream }
        throw ArchiveError.unknownStream(name, known: try streams().map(\.name))
    }

    /// All streams, by name.
    public func streams() throws -> [StreamInfo] {
        try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM streams ORDER BY name").map(Self.streamInfo) }
    }

    private static func fetchStream(_ db: Database, name: String) throws -> StreamInfo? {
        try Row.fetchOne(db, sql: "SELECT * FROM streams WHERE name = ?", arguments: [name]).map(streamInfo)
    }

    private static func streamInfo(_ row: Row) -> StreamInfo {
        StreamInfo(
            id: row["id"],
            name: row["name"],
            source: StreamSourceKind(rawValue: row["source"]) ?? .file,
            arn: row["arn"],
            region: row["region"],
            tableName: row["table_name"],
            viewType: row["view_type"],
            retentionDays: row["retention_days"],
            maxBlockSpanMillis: row["max_block_span_ms"],
            createdAt: row["created_at"]
        )
    }

    // MARK: Shards

    /// The shard `shardID` of the stream, creating it if needed.
    public func ensureShard(streamID: Int64, shardID: String, parentShardID: String? = nil, dedupe: DedupeRule, now: Int64) throws -> ShardInfo {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO shards (stream_id, shard_id, parent_shard_id, dedupe, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(stream_id, shard_id) DO UPDATE SET parent_shard_id = coalesce(parent_shard_id, excluded.parent_shard_id)
                    """,
                arguments: [streamID, shardID, parentShardID, dedupe.rawValue, now]
            )
            return try Row.fetchOne(db, sql: "SELECT * FROM shards WHERE stream_id = ? AND shard_id = ?", arguments: [streamID, shardID]).map(
                Self.shardInfo
            )!
        }
    }

    /// The stream's shards, parents before children, then by creation.
    public func shards(streamID: Int64) throws -> [ShardInfo] {
        let all = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM shards WHERE stream_id = ? ORDER BY id", arguments: [streamID]).map(Self.shardInfo)
        }
        return Self.lineageOrder(all)
    }

    /// Orders shards so that every parent comes before its children (stable otherwise).
    static func lineageOrder(_ shards: [ShardInfo]) -> [ShardInfo] {
        let known = Set(shards.map(\.shardID))
        var placed = Set<String>()
        var ordered: [ShardInfo] = []
        var pending = shards
        while !pending.isEmpty {
            let before = pending.count
            pending.removeAll { shard in
                let parentReady = shard.parentShardID.map { !known.contains($0) || placed.contains($0) } ?? true
                if parentReady {
                    ordered.append(shard)
                    placed.insert(shard.shardID)
                }
                return parentReady
            }
            if pending.count == before {  // a cycle cannot come from AWS; keep the rest in id order
                ordered += pending
                break
            }
        }
        return ordered
    }

    /// Marks a shard closed and fully read (its children may start).
    public func markShardClosed(rowID: Int64, at now: Int64) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE shards SET closed_at = coalesce(closed_at, ?) WHERE id = ?", arguments: [now, rowID])
        }
    }

    private static func shardInfo(_ row: Row) -> ShardInfo {
        ShardInfo(
            rowID: row["id"],
            streamID: row["stream_id"],
            shardID: row["shard_id"],
            parentShardID: row["parent_shard_id"],
            dedupe: DedupeRule(rawValue: row["dedupe"]) ?? .sequence,
            checkpoint: (row["checkpoint_text"] as String?).flatMap { SequenceNumber($0) },
            recordCount: row["record_count"],
            closedAt: row["closed_at"],
            createdAt: row["created_at"]
        )
    }

    // MARK: Segments

    /// The stream's open segment, if any.
    public func openSegment(streamID: Int64) throws -> SegmentInfo? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM segments WHERE stream_id = ? AND state = 'open'", arguments: [streamID]).map(Self.segmentInfo)
        }
    }

    /// Registers a new open segment whose file holds only its header (`committedBytes` long).
    public func createSegment(streamID: Int64, fileName: String, committedBytes: Int64, now: Int64) throws -> SegmentInfo {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO segments (stream_id, file_name, state, committed_bytes, created_at) VALUES (?, ?, 'open', ?, ?)",
                arguments: [streamID, fileName, committedBytes, now]
            )
            return try Row.fetchOne(db, sql: "SELECT * FROM segments WHERE id = ?", arguments: [db.lastInsertedRowID]).map(Self.segmentInfo)!
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
            try Row.fetchAll(db, sql: "SELECT * FROM segments WHERE stream_id = ? ORDER BY id", arguments: [streamID]).map(Self.segmentInfo)
        }
    }

    /// One segment by id.
    public func segment(id: Int64) throws -> SegmentInfo? {
        try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM segments WHERE id = ?", arguments: [id]).map(Self.segmentInfo) }
    }

    private static func segmentInfo(_ row: Row) -> SegmentInfo {
        SegmentInfo(
            id: row["id"],
            streamID: row["stream_id"],
            fileName: row["file_name"],
            state: SegmentInfo.State(rawValue: row["state"]) ?? .open,
            committedBytes: row["committed_bytes"],
            blockCount: row["block_count"],
            recordCount: row["record_count"],
            rawBytes: row["raw_bytes"],
            minTime: row["min_time"],
            maxTime: row["max_time"],
            sha256: row["sha256"],
            createdAt: row["created_at"],
            sealedAt: row["sealed_at"]
        )
    }

    // MARK: Commit

    /// Applies one commit in a single transaction: block rows, segment totals, shard checkpoints, event ids.
    ///
    /// Call only after the blocks' bytes are fsynced: once this returns, the records are acknowledged.
    public func commit(_ commit: BlockCommit) throws {
        try database.write { db in
            let insertBlock = try db.cachedStatement(
                sql: """
                    INSERT INTO blocks (stream_id, segment_id, shard_id, offset, length, record_count, raw_bytes, first_seq, last_seq,
                        min_time, max_time, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
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
        try database.write { db in try Self.advance(db, checkpoints) }
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

    // MARK: Block queries

    /// Blocks whose time range meets `[from, to)`, by id (= commit order).
    ///
    /// Uses the `(stream_id, min_time)` index over `[from - widest block span, to)`, so the cost depends on the
    /// window, not on the archive's size.
    public func blocks(streamID: Int64, timeFrom from: Int64, timeTo to: Int64) throws -> [BlockInfo] {
        try database.read { db in
            let span = try Int64.fetchOne(db, sql: "SELECT max_block_span_ms FROM streams WHERE id = ?", arguments: [streamID]) ?? 0
            let (difference, overflow) = from.subtractingReportingOverflow(span)
            let lower = overflow ? Int64.min : difference
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM blocks WHERE stream_id = ? AND min_time >= ? AND min_time < ? AND max_time >= ? ORDER BY id
                    """,
                arguments: [streamID, lower, to, from]
            ).map(Self.blockInfo)
        }
    }

    /// A shard's blocks that may hold sequence numbers in `[from, to]` (inclusive), by id.
    public func blocks(shardRowID: Int64, sequenceFrom from: SequenceNumber?, sequenceTo to: SequenceNumber?) throws -> [BlockInfo] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM blocks WHERE shard_id = ? AND last_seq >= ? AND first_seq <= ? ORDER BY id",
                arguments: [shardRowID, from?.padded ?? "", to?.padded ?? String(repeating: "9", count: SequenceNumber.paddedWidth)]
            ).map(Self.blockInfo)
        }
    }

    /// Every block of the stream, by id.
    public func blocks(streamID: Int64) throws -> [BlockInfo] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM blocks WHERE stream_id = ? ORDER BY id", arguments: [streamID]).map(Self.blockInfo)
        }
    }

    /// Every block of a segment, in file order.
    public func blocks(segmentID: Int64) throws -> [BlockInfo] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM blocks WHERE segment_id = ? ORDER BY offset", arguments: [segmentID]).map(Self.blockInfo)
        }
    }

    private static func blockInfo(_ row: Row) -> BlockInfo {
        BlockInfo(
            id: row["id"],
            streamID: row["stream_id"],
            segmentID: row["segment_id"],
            shardRowID: row["shard_id"],
            offset: row["offset"],
            length: row["length"],
            recordCount: row["record_count"],
            rawBytes: row["raw_bytes"],
            firstSeq: SequenceNumber(padded: row["first_seq"]) ?? SequenceNumber("0")!,
            lastSeq: SequenceNumber(padded: row["last_seq"]) ?? SequenceNumber("0")!,
            minTime: row["min_time"],
            maxTime: row["max_time"],
            format: RecordFormat(rawValue: row["format"]) ?? .native
        )
    }

    // MARK: Gaps

    /// Records that the archive missed records of a shard after `afterSequence`, and why.
    public func recordGap(streamID: Int64, shardRowID: Int64, afterSequence: SequenceNumber?, reason: String, now: Int64) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO gaps (stream_id, shard_id, after_seq, detected_at, reason) VALUES (?, ?, ?, ?, ?)",
                arguments: [streamID, shardRowID, afterSequence?.padded, now, reason]
            )
        }
    }

    /// The stream's known gaps, oldest first.
    public func gaps(streamID: Int64) throws -> [GapInfo] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT g.*, s.shard_id AS shard_name FROM gaps g JOIN shards s ON s.id = g.shard_id WHERE g.stream_id = ? ORDER BY g.id",
                arguments: [streamID]
            ).map { row in
                GapInfo(
                    id: row["id"],
                    streamID: row["stream_id"],
                    shardID: row["shard_name"],
                    afterSequence: (row["after_seq"] as String?).flatMap { SequenceNumber(padded: $0) },
                    detectedAt: row["detected_at"],
                    reason: row["reason"]
                )
            }
        }
    }
}
