import GRDB

extension Catalog {
    /// Runs a write transaction; a full disk (SQLITE_FULL, usually the WAL growing) becomes an ``ArchiveError``
    /// that names the catalog and says what to do, instead of SQLite's bare "database or disk is full".
    func writeReportingFullDisk<T>(_ updates: (Database) throws -> T) throws -> T {
        do {
            return try database.write(updates)
        } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_FULL {
            throw ArchiveError(
                code: .io,
                message: "Committing to the catalog '\(database.path)' failed: No space left on device (SQLite: \(error.message ?? "disk is full")). "
                    + "This commit was not acknowledged; everything committed before it is intact. Free space on the archive's disk and run the "
                    + "same command again: it resumes after the last commit."
            )
        }
    }
}
