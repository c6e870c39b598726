import Foundation
import GRDB
import StreamModel

/// Reads one catalog row without trusting it: a wrong type, a NULL where a value belongs or a value out of
/// range becomes an ``ArchiveError`` naming the table, row id and column, never a trap.
///
/// (GRDB's `row["x"]` traps when the stored value does not convert; a damaged catalog must not crash
/// every command.)
struct CatalogRow {
    let row: Row
    let table: String

    init(_ row: Row, table: String) {
        self.row = row
        self.table = table
    }

    /// The row's id as stored (for messages), or `?`.
    var rowID: String {
        guard let value = row["id"] as DatabaseValue? else { return "?" }
        if case .int64(let id) = value.storage { return "\(id)" }
        return Self.describe(value)
    }

    /// A non-NULL value of type `T`.
    func value<T: DatabaseValueConvertible>(_ column: String, _ expected: String, as type: T.Type = T.self) throws -> T {
        guard let stored = row[column] as DatabaseValue?, !stored.isNull else {
            throw damaged(column, "holds NULL where \(expected) belongs")
        }
        guard let value = T.fromDatabaseValue(stored) else {
            throw damaged(column, "holds \(Self.describe(stored)) where \(expected) belongs")
        }
        return value
    }

    /// A value of type `T`, or `nil` for NULL.
    func optional<T: DatabaseValueConvertible>(_ column: String, _ expected: String, as type: T.Type = T.self) throws -> T? {
        guard let stored = row[column] as DatabaseValue?, !stored.isNull else { return nil }
        guard let value = T.fromDatabaseValue(stored) else {
            throw damaged(column, "holds \(Self.describe(stored)) where \(expected) belongs")
        }
        return value
    }

    func int64(_ column: String, in range: ClosedRange<Int64> = Int64.min...Int64.max) throws -> Int64 {
        let value = try self.value(column, "an integer", as: Int64.self)
        guard range.contains(value) else { throw damaged(column, "holds \(value), outside \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    func optionalInt64(_ column: String) throws -> Int64? {
        try optional(column, "an integer or NULL", as: Int64.self)
    }

    func string(_ column: String) throws -> String {
        try value(column, "text", as: String.self)
    }

    func optionalString(_ column: String) throws -> String? {
        try optional(column, "text or NULL", as: String.self)
    }

    /// A value parsed by `parse`, whose failure names `expected`.
    func parsed<T>(_ column: String, _ expected: String, _ parse: (String) -> T?) throws -> T {
        let text = try string(column)
        guard let value = parse(text) else { throw damaged(column, "holds \(Self.describe(text)) where \(expected) belongs") }
        return value
    }

    func optionalParsed<T>(_ column: String, _ expected: String, _ parse: (String) -> T?) throws -> T? {
        guard let text = try optionalString(column) else { return nil }
        guard let value = parse(text) else { throw damaged(column, "holds \(Self.describe(text)) where \(expected) belongs") }
        return value
    }

    func damaged(_ column: String, _ problem: String) -> ArchiveError {
        ArchiveError.catalogDamaged(table: table, rowID: rowID, column: column, problem: problem)
    }

    static func describe(_ text: String) -> String {
        "TEXT '\(text.count > 40 ? String(text.prefix(40)) + "..." : text)'"
    }

    /// A short, payload-free rendering of a stored value: its SQLite type and at most 40 characters.
    static func describe(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return "NULL"
        case .int64(let n): return "INTEGER \(n)"
        case .double(let d): return "REAL \(d)"
        case .string(let s): return describe(s)
        case .blob(let b): return "BLOB of \(b.count) bytes"
        }
    }
}

/// Bounds on catalog values that the code relies on before reading files.
public enum CatalogLimits {
    /// Largest stored (compressed) block accepted from the catalog. A block holds one shard's records up to
    /// the block size (1 MiB by default) plus one record; anything near this is damage, not data.
    public static let maxBlockBytes: Int64 = 1 << 30
    /// Largest uncompressed block.
    public static let maxRawBlockBytes: Int64 = 1 << 31

    /// Segment file names as the writer makes them: `20261123T184000Z-1a2b3c4d.ndjson.zst`. Nothing else is
    /// ever opened, so a damaged row cannot point outside the storage directory.
    public static func isSegmentFileName(_ name: String) -> Bool {
        // `<stamp>-<random>.ndjson.zst`, or `<stamp>-<node>-<random>.ndjson.zst` when a bucket is shared by several nodes.
        let bytes = Array(name.utf8)
        guard bytes.count == 36 || bytes.count == 45, name.hasSuffix(".ndjson.zst") else { return false }
        func digits(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        func hex(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) } }
        return digits(0..<8) && bytes[8] == UInt8(ascii: "T") && digits(9..<15) && bytes[15] == UInt8(ascii: "Z") && bytes[16] == UInt8(ascii: "-")
            && hex(17..<25) && (bytes.count == 36 || (bytes[25] == UInt8(ascii: "-") && hex(26..<34)))
    }
}

extension ArchiveError {
    static func catalogDamaged(table: String, rowID: String, column: String, problem: String) -> ArchiveError {
        ArchiveError(
            code: .catalogCorrupt,
            message: "The catalog is damaged: table '\(table)', row \(rowID), column '\(column)' \(problem). "
                + "Run `streamvault verify` to see all damage; `streamvault catalog rebuild --force` rebuilds the catalog from the segment files "
                + "(docs/OPERATIONS.md)."
        )
    }
}
