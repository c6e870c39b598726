import GRDB

/// SQLite's own report that the catalog file is damaged (SQLITE_CORRUPT "database disk image is malformed",
/// SQLITE_NOTADB), turned into a message that names the catalog and says what to run.
public enum CatalogDamage {
    /// A `catalogCorrupt` error for the catalog at `catalogPath` if `error` is SQLite's report of a damaged
    /// file; `nil` for any other error.
    public static func error(explaining error: any Error, catalogPath: String) -> ArchiveError? {
        guard let error = error as? DatabaseError, [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode.primaryResultCode) else {
            return nil
        }
        let during = error.sql.map { " (while running `\($0)`)" } ?? ""
        return ArchiveError(
            code: .catalogCorrupt,
            message: "The catalog '\(catalogPath)' is damaged: SQLite says \"\(error.message ?? "database disk image is malformed")\"\(during). "
                + "`streamvault verify` reports what else is affected. Restore catalog.sqlite from a backup, or rebuild it from the segment "
                + "files with `streamvault catalog rebuild --force` (writers stopped; the damaged file is kept aside; docs/OPERATIONS.md)."
        )
    }
}
