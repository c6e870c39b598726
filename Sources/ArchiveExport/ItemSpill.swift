import Foundation
import GRDB

/// The table being rebuilt by a snapshot: the latest image per item key, spilled to a temporary SQLite
/// database instead of a dictionary, so memory stays bounded whatever the table's size.
///
/// Changes are applied in transactions of ``batchSize``; ``forEachItem(_:)`` reads the result in key order
/// through a cursor. The file is deleted on ``close()`` (and by the staging directory it lives in).
final class ItemSpill {
    private let queue: DatabaseQueue
    let path: String
    private var pending: [(key: Data, image: Data?)] = []
    private(set) var changesApplied = 0

    static let batchSize = 10_000

    init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.label = "snapshot-spill"
        // Scratch data: no journal or sync needed (the finished snapshot files are synced, not this).
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE; PRAGMA cache_size = -16384")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE items (key BLOB PRIMARY KEY, image BLOB NOT NULL) WITHOUT ROWID")
        }
    }

    /// Sets the item under `key` to `image`, or deletes it (`image` nil).
    func apply(key: UnsafeBufferPointer<UInt8>, image: UnsafeBufferPointer<UInt8>?) throws {
        pending.append((Data(key), image.map { Data($0) }))
        if pending.count >= Self.batchSize { try flush() }
    }

    func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        try queue.write { db in
            let upsert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO items (key, image) VALUES (?, ?)")
            let delete = try db.cachedStatement(sql: "DELETE FROM items WHERE key = ?")
            for change in batch {
                if let image = change.image {
                    try upsert.execute(arguments: [change.key, image])
                } else {
                    try delete.execute(arguments: [change.key])
                }
            }
        }
        changesApplied += batch.count
    }

    /// Calls `body` with each item's image, in key order.
    func forEachItem(_ body: (Data) throws -> Void) throws {
        try flush()
        try queue.read { db in
            let cursor = try Data.fetchCursor(db, sql: "SELECT image FROM items ORDER BY key")
            while let image = try cursor.next() { try body(image) }
        }
    }

    func close() {
        try? queue.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}
