import GRDB
public import StreamModel

extension Catalog {
    /// Catalog reads for async code (the server, replay): each runs on GRDB's reader threads, never on the
    /// cooperative pool, and on a catalog opened for writing (a `DatabasePool`) several run at once, each
    /// on its own snapshot.
    public var asyncReader: AsyncCatalogReader { AsyncCatalogReader(catalog: self) }
}

/// The catalog's read queries as async functions (``Catalog/asyncReader``). Same answers as the synchronous
/// methods of ``Catalog`` of the same names.
public struct AsyncCatalogReader: Sendable {
    let catalog: Catalog

    /// All streams, by name.
    public func streams() async throws -> [StreamInfo] {
        try await read { db in try Catalog.fetchStreams(db) }
    }

    /// The stream named `name`, or `nil`.
    public func stream(named name: String) async throws -> StreamInfo? {
        try await read { db in try Catalog.fetchStream(db, name: name) }
    }

    /// The stream named `name`, or an error listing the known streams.
    public func requireStream(_ name: String) async throws -> StreamInfo {
        let (stream, known) = try await read { db in
            if let stream = try Catalog.fetchStream(db, name: name) { return (Optional(stream), [String]()) }
            return (nil, try Catalog.fetchStreams(db).map(\.name))
        }
        if let stream { return stream }
        throw ArchiveError.unknownStream(name, known: known)
    }

    /// The stream's shards, parents before children, then by creation.
    public func shards(streamID: Int64) async throws -> [ShardInfo] {
        try await read { db in try Catalog.fetchShards(db, streamID: streamID) }
    }

    /// Blocks whose time range meets `[from, to)`, by id (= commit order).
    public func blocks(streamID: Int64, timeFrom from: Int64, timeTo to: Int64) async throws -> [BlockInfo] {
        try await read { db in try Catalog.fetchBlocks(db, streamID: streamID, timeFrom: from, timeTo: to) }
    }

    /// A shard's blocks that may hold sequence numbers in `[from, to]` (inclusive), by id.
    public func blocks(shardRowID: Int64, sequenceFrom from: SequenceNumber?, sequenceTo to: SequenceNumber?) async throws -> [BlockInfo] {
        try await read { db in try Catalog.fetchBlocks(db, shardRowID: shardRowID, sequenceFrom: from, sequenceTo: to) }
    }

    /// One read transaction on GRDB's async API: the caller's task suspends while a reader thread works.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await catalog.database.read(body)
    }
}
