import GRDB
import StreamModel

/// Shards: lineage, dedupe rule, checkpoints.
extension Catalog {
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
            return try ShardInfo(row: row)
        }
    }

    /// The stream's shards, parents before children, then by creation.
    public func shards(streamID: Int64) throws -> [ShardInfo] {
        let all = try database.read { db in
            try ShardInfo.fetchAll(db, sql: "SELECT * FROM shards WHERE stream_id = ? ORDER BY id", arguments: [streamID])
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

}
