import Foundation
public import GRDB
public import StreamModel
import SystemPackage

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

    /// How a process uses the catalog.
    public enum Access: Sendable {
        /// Writers (ingest, archive, repair): create the catalog if needed and run migrations.
        case readWrite
        /// Readers (ls, stats, verify, replay): no file is created or changed, no lock is taken, and the
        /// archive may sit on a read-only mount (a backup, a snapshot).
        case readOnly
    }

    /// Opens the catalog at `path`: a writer creates and migrates it; a reader opens it read-only and
    /// refuses (``ArchiveError/Code/catalogOutdated``) when it needs a migration only a writer may run.
    public convenience init(path: String, access: Access = .readWrite) throws {
        switch access {
        case .readWrite:
            try self.init(writablePath: path)
        case .readOnly:
            let queue = try Self.openReadOnly(path: path)
            try self.init(readOnly: queue, path: path)
        }
    }

    private convenience init(writablePath path: String) throws {
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

    private init(readOnly database: DatabaseQueue, path: String) throws {
        self.database = database
        try database.read { db in
            let migrator = CatalogSchema.migrator
            guard try migrator.hasCompletedMigrations(db) else {
                let applied = try migrator.appliedIdentifiers(db)
                let missing = migrator.migrations.filter { !applied.contains($0) }
                throw ArchiveError(
                    code: .catalogOutdated,
                    message: "The catalog '\(path)' was written by an older StreamVault and needs upgrading (\(missing.joined(separator: "; "))), "
                        + "which only a writer may do. Run `streamvault catalog migrate` (or any ingest/archive) on the archive where it is "
                        + "writable, then read it again; readers never change an archive."
                )
            }
        }
    }

    /// A read-only connection that creates no file: on a writable directory SQLite may add the WAL index
    /// (`-shm`) as for any reader; on a read-only mount without it, the catalog opens as immutable, which
    /// is exact when no WAL file holds uncheckpointed changes.
    private static func openReadOnly(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        guard FileIO.exists(path) else {
            throw ArchiveError(code: .io, message: "No catalog at '\(path)'. Pass --storage DIR or set STREAMVAULT_STORAGE.")
        }
        let directory = FileIO.parent(of: path)
        let writable = access(directory, W_OK) == 0
        let hasIndex = FileIO.exists(path + "-shm")
        if writable || hasIndex {
            return try DatabaseQueue(path: path, configuration: configuration)
        }
        if let wal = try? FileIO.open(path + "-wal", .readOnly) {
            defer { wal.close() }
            if (try wal.size()) > 0 {
                throw ArchiveError(
                    code: .io,
                    message: "The catalog '\(path)' is on a read-only file system with a WAL file ('\(path)-wal') but no WAL index ('-shm'), "
                        + "so SQLite cannot read it in place. Copy catalog.sqlite and catalog.sqlite-wal to a writable directory and pass that "
                        + "copy's directory, or take the backup with `sqlite3 catalog.sqlite \".backup copy.sqlite\"` (docs/OPERATIONS.md)."
                )
            }
        }
        return try DatabaseQueue(path: immutableURI(path), configuration: configuration)
    }

    /// `file:<path>?immutable=1`, with the characters URIs reserve escaped.
    static func immutableURI(_ path: String) -> String {
        var escaped = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0x80...0xFF:
                escaped += "%" + String(byte, radix: 16, uppercase: true)
            default:
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return "file:" + escaped + "?immutable=1"
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
            guard let stream = try Self.fetchStream(db, name: name) else {
                throw ArchiveError(code: .catalogMismatch, message: "Stream '\(name)' vanished from the catalog while it was being created.")
            }
            return stream
        }
    }

    /// The stream named `name`, or `nil`.
    public func stream(named name: String) throws -> StreamInfo? {
        try database.read { db in try Self.fetchStream(db, name: name) }
    }

    /// The stream with row id `id`, or `nil`.
    public func stream(id: Int64) throws -> StreamInfo? {
        try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM streams WHERE id = ?", arguments: [id]).map { try Self.streamInfo($0) } }
    }

    /// The stream named `name`, or an error listing the known streams.
    public func requireStream(_ name: String) throws -> StreamInfo {
        if let stream = try stream(named: name) { return stream }
        throw ArchiveError.unknownStream(name, known: try streams().map(\.name))
    }

    /// All streams, by name.
    public func streams() throws -> [StreamInfo] {
        try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM streams ORDER BY name").map { try Self.streamInfo($0) } }
    }

    private static func fetchStream(_ db: Database, name: String) throws -> StreamInfo? {
        try Row.fetchOne(db, sql: "SELECT * FROM streams WHERE name = ?", arguments: [name]).map { try streamInfo($0) }
    }

    static func streamInfo(_ row: Row) throws -> StreamInfo {
        let r = CatalogRow(row, table: "streams")
        let name = try r.string("name")
        do { try StorageLayout.validateStreamName(name) } catch { throw r.damaged("name", "holds '\(name.prefix(40))', which is not a stream name") }
        return StreamInfo(
            id: try r.int64("id"),
            name: name,
            source: try r.parsed("source", "file, dynamodb-streams or kinesis") { StreamSourceKind(rawValue: $0) },
            arn: try r.optionalString("arn"),
            region: try r.optionalString("region"),
            tableName: try r.optionalString("table_name"),
            viewType: try r.optionalString("view_type"),
            retentionDays: Int(try r.int64("retention_days", in: 0...1_000_000)),
            maxBlockSpanMillis: try r.int64("max_block_span_ms", in: 0...Int64.max),
            createdAt: try r.int64("created_at")
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
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM shards WHERE stream_id = ? AND shard_id = ?", arguments: [streamID, shardID])
            else {
                throw ArchiveError(code: .catalogMismatch, message: "Shard '\(shardID)' vanished from the catalog while it was being created.")
            }
            return try Self.shardInfo(row)
        }
    }

    /// The stream's shards, parents before children, then by creation.
    public func shards(streamID: Int64) throws -> [ShardInfo] {
        let all = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM shards WHERE stream_id = ? ORDER BY id", arguments: [streamID]).map { try Self.shardInfo($0) }
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

    static func shardInfo(_ row: Row) throws -> ShardInfo {
        let r = CatalogRow(row, table: "shards")
        return ShardInfo(
            rowID: try r.int64("id"),
            streamID: try r.int64("stream_id"),
            shardID: try r.string("shard_id"),
            parentShardID: try r.optionalString("parent_shard_id"),
            dedupe: try r.parsed("dedupe", "sequence or event-id") { DedupeRule(rawValue: $0) },
            checkpoint: try r.optionalParsed("checkpoint_text", "a sequence number (digits)") { SequenceNumber($0) },
            recordCount: try r.int64("record_count", in: 0...Int64.max),
            closedAt: try r.optionalInt64("closed_at"),
            createdAt: try r.int64("created_at")
        )
    }

    // MARK: Segments

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
                maxSpan = max(maxSpan, h.maxTime - h.minTime)
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
    }

    /// A shard's blocks that may hold sequence numbers in `[from, to]` (inclusive), by id.
    public func blocks(shardRowID: Int64, sequenceFrom from: SequenceNumber?, sequenceTo to: SequenceNumber?) throws -> [BlockInfo] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM blocks WHERE shard_id = ? AND last_seq >= ? AND first_seq <= ? ORDER BY id",
                arguments: [shardRowID, from?.padded ?? "", to?.padded ?? String(repeating: "9", count: SequenceNumber.paddedWidth)]
            ).map { try Self.blockInfo($0) }
        }
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
                let r = CatalogRow(row, table: "gaps")
                return GapInfo(
                    id: try r.int64("id"),
                    streamID: try r.int64("stream_id"),
                    shardID: try r.string("shard_name"),
                    afterSequence: try r.optionalParsed("after_seq", "a zero-padded sequence number") { SequenceNumber(padded: $0) },
                    detectedAt: try r.int64("detected_at"),
                    reason: try r.string("reason")
                )
            }
        }
    }
}
