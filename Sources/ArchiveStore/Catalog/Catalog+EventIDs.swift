import Foundation
import GRDB

/// The event-id index (docs/FORMAT.md, "Event-id index"): per block, the 16-byte keys of its records
/// (`block_event_ids`, deleted with the block); keys migrated from catalogs before v6 in `event_id_keys`.
extension Catalog {
    /// The key lists of the shard's blocks whose event times overlap `[from, through]` (epoch ms): every record
    /// with a time in that window is in one of them. Read whole so the caller can size its set before building it.
    func eventIDKeyLists(shardRowID: Int64, from: Int64, through: Int64) throws -> [Data] {
        try database.read { db in
            var lists: [Data] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT e.block_id AS id, e.keys FROM blocks b JOIN block_event_ids e ON e.block_id = b.id
                    WHERE b.shard_id = ? AND b.min_time <= ? AND b.max_time >= ?
                    """,
                arguments: [shardRowID, through, from]
            )
            while let row = try rows.next() {
                let r = CatalogRow(row, table: "block_event_ids")
                let bytes = try r.value("keys", "event-id keys (16 bytes each)", as: Data.self)
                try Self.requireWholeKeys(bytes, table: "block_event_ids", column: "keys", rowID: r.rowID)
                lists.append(bytes)
            }
            return lists
        }
    }

    /// The keys migrated from a catalog before v6 (`event_id_keys`, no event time): an empty set once none are left.
    func migratedEventIDSet(shardRowID: Int64) throws -> EventIDSet {
        try database.read { db in
            var set = EventIDSet()
            let migrated = try Row.fetchCursor(db, sql: "SELECT shard_id AS id, key FROM event_id_keys WHERE shard_id = ?", arguments: [shardRowID])
            while let row = try migrated.next() {
                try Self.forEachKey(in: row, table: "event_id_keys", column: "key") { set.insert($0) }
            }
            return set
        }
    }

    /// The keys of a segment's blocks, per shard row (what retention takes out of a writer's loaded sets).
    func eventIDKeys(segmentID: Int64) throws -> [Int64: [EventIDKey]] {
        try database.read { db in
            var keys: [Int64: [EventIDKey]] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT b.id, b.shard_id, e.keys FROM blocks b JOIN block_event_ids e ON e.block_id = b.id WHERE b.segment_id = ?",
                arguments: [segmentID]
            )
            while let row = try rows.next() {
                let shard = try CatalogRow(row, table: "blocks").int64("shard_id")
                try Self.forEachKey(in: row, table: "block_event_ids", column: "keys") { keys[shard, default: []].append($0) }
            }
            return keys
        }
    }

    /// Ids of the blocks among `blockIDs` that have no `block_event_ids` row (written before v6: their keys, if
    /// any, are in `event_id_keys`).
    func blocksWithoutEventIDKeys(_ blockIDs: [Int64]) throws -> Set<Int64> {
        guard !blockIDs.isEmpty else { return [] }
        return try database.read { db in
            let having = Set(
                try Int64.fetchAll(
                    db,
                    sql: "SELECT block_id FROM block_event_ids WHERE block_id IN (\(blockIDs.map(String.init).joined(separator: ",")))"
                )
            )
            return Set(blockIDs).subtracting(having)
        }
    }

    /// Whether the shard still has keys migrated from a catalog before v6.
    func hasMigratedEventIDKeys(shardRowID: Int64) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM event_id_keys WHERE shard_id = ?)", arguments: [shardRowID]) ?? false
        }
    }

    /// Bytes the index takes in the catalog's tables (keys only; what `tools/bench` divides by the records).
    public func eventIDIndexKeyBytes() throws -> Int64 {
        try database.read { db in
            let perBlock = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(length(keys)), 0) FROM block_event_ids") ?? 0
            let migrated = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(length(key)), 0) FROM event_id_keys") ?? 0
            return perBlock + migrated
        }
    }

    /// Calls `body` with each key stored in `column` of `row`; a stored value that is not whole keys is damage.
    static func forEachKey(in row: Row, table: String, column: String, _ body: (EventIDKey) throws -> Void) throws {
        let r = CatalogRow(row, table: table)
        let bytes = try r.value(column, "event-id keys (16 bytes each)", as: Data.self)
        try requireWholeKeys(bytes, table: table, column: column, rowID: r.rowID)
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                try body(EventIDKey(bytes: raw, at: offset))
                offset += EventIDKey.byteCount
            }
        }
    }

    /// A stored key list that is not whole keys is damage.
    static func requireWholeKeys(_ bytes: Data, table: String, column: String, rowID: String) throws {
        guard bytes.count % EventIDKey.byteCount == 0 else {
            throw ArchiveError(
                code: .catalogCorrupt,
                message:
                    "The catalog's \(table) row \(rowID) holds \(bytes.count) bytes in '\(column)', not a whole number of 16-byte event-id keys: "
                    + "the catalog is damaged. Rebuild it from the segment files with `streamvault catalog rebuild --force` (docs/OPERATIONS.md)."
            )
        }
    }
}
