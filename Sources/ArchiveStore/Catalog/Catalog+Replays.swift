import GRDB
import StreamModel

/// Named replays (`replay --name`, `--resume`, `streamvault replays`). Async: the replay runs on the cooperative
/// pool, and GRDB's async writes and reads run on its own threads.
extension AsyncCatalogReader {
    /// The named replay `name`, or `nil`.
    public func replay(named name: String) async throws -> NamedReplay? {
        try await catalog.database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM replays WHERE name = ?", arguments: [name]).map(Catalog.namedReplay)
        }
    }

    /// Every named replay, by name.
    public func replays() async throws -> [NamedReplay] {
        try await catalog.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM replays ORDER BY name").map(Catalog.namedReplay)
        }
    }

    /// Records a new named replay.
    /// - Throws: ``ArchiveError`` (``ArchiveError/Code/invalidArgument``) when the name is taken.
    public func createReplay(_ replay: NamedReplay) async throws {
        try await catalog.database.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM replays WHERE name = ?", arguments: [replay.name]) != nil {
                throw ArchiveError(
                    code: .invalidArgument,
                    message:
                        "A replay named '\(replay.name)' exists: continue it with `streamvault replay --resume \(replay.name)`, or pick another --name."
                )
            }
            try db.execute(
                sql: """
                    INSERT INTO replays (name, stream, arguments, state, pid, checkpoints, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    replay.name, replay.stream, replay.arguments, replay.state.rawValue, replay.pid, replay.checkpoints, replay.createdAt,
                    replay.updatedAt,
                ]
            )
        }
    }

    /// Saves where a named replay stands and what it has done (after each batch, at the end).
    public func saveReplay(_ replay: NamedReplay) async throws {
        try await catalog.database.write { db in
            try db.execute(
                sql: """
                    UPDATE replays SET state = ?, pid = ?, checkpoint_shard = ?, checkpoint_seq = ?, checkpoints = ?, planned_records = ?,
                        records_delivered = ?, records_failed = ?, records_filtered = ?, invocations = ?, retries = ?, updated_at = ?
                    WHERE name = ?
                    """,
                arguments: [
                    replay.state.rawValue, replay.pid, replay.checkpointShard, replay.checkpointSequence?.text, replay.checkpoints,
                    replay.plannedRecords, replay.recordsDelivered, replay.recordsFailed, replay.recordsFiltered, replay.invocations,
                    replay.retries, replay.updatedAt, replay.name,
                ]
            )
        }
    }
}

extension Catalog {
    static func namedReplay(_ row: Row) throws -> NamedReplay {
        let r = CatalogRow(row, table: "replays")
        var replay = NamedReplay(
            name: try r.string("name"),
            stream: try r.string("stream"),
            arguments: try r.string("arguments"),
            pid: try r.optionalInt64("pid").map { Int32(truncatingIfNeeded: $0) },
            now: try r.int64("created_at")
        )
        replay.state = try r.parsed("state", "running, completed or failed") { NamedReplay.State(rawValue: $0) }
        replay.checkpointShard = try r.optionalString("checkpoint_shard")
        replay.checkpointSequence = try r.optionalParsed("checkpoint_seq", "a sequence number") { SequenceNumber($0) }
        replay.checkpoints = try r.string("checkpoints")
        replay.plannedRecords = try r.optionalInt64("planned_records").map { Int($0) }
        replay.recordsDelivered = Int(try r.int64("records_delivered", in: 0...Int64.max))
        replay.recordsFailed = Int(try r.int64("records_failed", in: 0...Int64.max))
        replay.recordsFiltered = Int(try r.int64("records_filtered", in: 0...Int64.max))
        replay.invocations = Int(try r.int64("invocations", in: 0...Int64.max))
        replay.retries = Int(try r.int64("retries", in: 0...Int64.max))
        replay.updatedAt = try r.int64("updated_at")
        return replay
    }
}
