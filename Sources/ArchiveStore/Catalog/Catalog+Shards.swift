import GRDB
import StreamModel

/// Shards: lineage, dedupe rule, checkpoints.
extension Catalog {
    /// The shard `shardID` of the stream, creating it if needed. Parents given later fill in parents not known yet.
    public func ensureShard(
        streamID: Int64,
        shardID: String,
        parentShardID: String? = nil,
        adjacentParentShardID: String? = nil,
        dedupe: DedupeRule,
        now: Int64
    ) throws -> ShardInfo {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO shards (stream_id, shard_id, parent_shard_id, adjacent_parent_shard_id, dedupe, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(stream_id, shard_id) DO UPDATE SET
                        parent_shard_id = coalesce(parent_shard_id, excluded.parent_shard_id),
                        adjacent_parent_shard_id = coalesce(adjacent_parent_shard_id, excluded.adjacent_parent_shard_id)
                    """,
                arguments: [streamID, shardID, parentShardID, adjacentParentShardID, dedupe.rawValue, now]
            )
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM shards WHERE stream_id = ? AND shard_id = ?", arguments: [streamID, shardID])
            else {
                throw ArchiveError(code: .catalogMismatch, message: "Shard '\(shardID)' vanished from the catalog while it was being created.")
            }
            return try ShardInfo(row: row)
        }
    }

    /// The stream's shards, parents (both, after a merge) before children, then by creation.
    public func shards(streamID: Int64) throws -> [ShardInfo] {
        try database.read { db in try Self.fetchShards(db, streamID: streamID) }
    }

    static func fetchShards(_ db: Database, streamID: Int64) throws -> [ShardInfo] {
        let all = try ShardInfo.fetchAll(db, sql: "SELECT * FROM shards WHERE stream_id = ? ORDER BY id", arguments: [streamID])
        return ShardLineage.order(all, lineage: \.lineage)
    }

    /// Marks a shard closed and fully read (its children may start).
    public func markShardClosed(rowID: Int64, at now: Int64) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE shards SET closed_at = coalesce(closed_at, ?) WHERE id = ?", arguments: [now, rowID])
        }
    }

}
