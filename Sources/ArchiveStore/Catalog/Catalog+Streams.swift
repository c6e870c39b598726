import GRDB
import StreamModel

/// Streams: one row per archived stream.
extension Catalog {
    /// The stream named `name`, creating it if needed. Source details fill in only what is still unknown.
    public func ensureStream(
        _ name: String,
        source: StreamSourceKind,
        arn: String? = nil,
        region: String? = nil,
        tableName: String? = nil,
        viewType: String? = nil,
        now: Int64
    ) throws -> StreamInfo {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO streams (name, source, arn, region, table_name, view_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET arn = coalesce(arn, excluded.arn), region = coalesce(region, excluded.region),
                        table_name = coalesce(table_name, excluded.table_name), view_type = coalesce(view_type, excluded.view_type)
                    """,
                arguments: [name, source.rawValue, arn, region, tableName, viewType, now]
            )
            guard let stream = try Self.fetchStream(db, name: name) else {
                throw ArchiveError(code: .catalogMismatch, message: "Stream '\(name)' vanished from the catalog while it was being created.")
            }
            return stream
        }
    }

    /// The stream named `name`, or `nil`.
    public func stream(named name: String) throws -> StreamInfo? {
        try database.read { db in try Self.fetchStream(db, name: name) }
    }

    /// The stream with row id `id`, or `nil`.
    public func stream(id: Int64) throws -> StreamInfo? {
        try database.read { db in try StreamInfo.fetchOne(db, sql: "SELECT * FROM streams WHERE id = ?", arguments: [id]) }
    }

    /// The stream named `name`, or an error listing the known streams.
    public func requireStream(_ name: String) throws -> StreamInfo {
        if let stream = try stream(named: name) { return stream }
        throw ArchiveError.unknownStream(name, known: try streams().map(\.name))
    }

    /// All streams, by name.
    public func streams() throws -> [StreamInfo] {
        try database.read { db in try Self.fetchStreams(db) }
    }

    static func fetchStreams(_ db: Database) throws -> [StreamInfo] {
        try StreamInfo.fetchAll(db, sql: "SELECT * FROM streams ORDER BY name")
    }

    static func fetchStream(_ db: Database, name: String) throws -> StreamInfo? {
        try StreamInfo.fetchOne(db, sql: "SELECT * FROM streams WHERE name = ?", arguments: [name])
    }

}
