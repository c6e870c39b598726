public import Foundation
import GRDB

/// A scratch key -> value table on disk (a temporary SQLite database), for work whose state would not fit a
/// dictionary: `snapshot` keeps the latest image per item key here, so memory stays bounded whatever the
/// table's size. GRDB stays inside ArchiveStore; callers see bytes only.
///
/// Writes are applied in transactions of ``batchSize``; ``forEachValue(_:)`` reads the values in key order
/// (byte order) through a cursor. No journal, no fsync: the file is scratch, deleted on ``close()``.
/// Not thread-safe; one per task.
public final class KeyedSpill {
    private let queue: DatabaseQueue
    /// The scratch database's file.
    public let path: String
    private var pending: [(key: Data, value: Data?)] = []
    /// Writes applied so far (puts and removes).
    public private(set) var writesApplied = 0

    /// Writes per transaction.
    public static let batchSize = 10_000

    /// Creates the scratch database at `path` (which must not exist).
    /// - Throws: GRDB's error when the file cannot be created.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.label = "keyed-spill"
        // Scratch data: no journal or sync needed (the finished snapshot files are synced, not this).
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE; PRAGMA cache_size = -16384")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE spill (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID")
        }
    }

    /// Sets `key` to `value`, or removes it (`value` nil). The last write of a key wins.
    public func set(key: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>?) throws {
        pending.append((Data(key), value.map { Data($0) }))
        if pending.count >= Self.batchSize { try flush() }
    }

    /// Applies the writes not yet applied.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        try queue.write { db in
            let upsert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO spill (key, value) VALUES (?, ?)")
            let delete = try db.cachedStatement(sql: "DELETE FROM spill WHERE key = ?")
            for write in batch {
                if let value = write.value {
                    try upsert.execute(arguments: [write.key, value])
                } else {
                    try delete.execute(arguments: [write.key])
                }
            }
        }
        writesApplied += batch.count
    }

    /// Calls `body` with each value, in key order (after applying pending writes).
    public func forEachValue(_ body: (Data) throws -> Void) throws {
        try flush()
        try queue.read { db in
            let cursor = try Data.fetchCursor(db, sql: "SELECT value FROM spill ORDER BY key")
            while let value = try cursor.next() { try body(value) }
        }
    }

    /// Closes and deletes the scratch database. Safe to call twice.
    public func close() {
        try? queue.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}
