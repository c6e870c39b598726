import Foundation
import GRDB
import StreamModel
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The SQLite catalog (GRDB, WAL): streams, shards, segments, blocks, event ids and gaps.
///
/// Several processes may open the same catalog (one writer per stream, any number of readers); SQLite's
/// WAL mode gives each read a consistent snapshot, and writers wait on a busy timeout.
public final class Catalog: Sendable {
    /// The database connection(s): a `DatabasePool` on disk, or any writer in tests. GRDB stays inside
    /// ArchiveStore: callers use the catalog's methods (``asyncReader`` in async code).
    let database: any DatabaseWriter

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
        let migrator = CatalogSchema.migrator
        let before = try pool.read { db in try migrator.appliedIdentifiers(db) }
        try self.init(database: pool)
        // An upgrade of an existing catalog is audited (a new catalog is not: there was nothing to change).
        let applied = migrator.migrations.filter { !before.contains($0) }
        if !before.isEmpty && !applied.isEmpty {
            let log = AuditLog(path: FileIO.parent(of: path) + "/audit.ndjson")
            let now = WallClock.system.nowMillis()
            let entries = try AuditChain.read(log).entries
            try AuditBackfill.enterUnauditedSeals(log: log, catalog: self, streams: try streams(), entries: entries, now: now)
            try log.append(
                kind: .catalogMigrated,
                stream: "",
                details: ["applied": .string(applied.joined(separator: "; ")), "catalog": .string(path)],
                now: now
            )
        }
    }

    /// Uses an existing database (an in-memory `DatabaseQueue` in tests, through `@testable import`) and migrates it.
    init(database: any DatabaseWriter) throws {
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
}
