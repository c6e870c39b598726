public import Logging
public import StreamModel

/// A ``StreamWriter`` for async code: every call runs on a thread of the writer's own (``StoreThread``), so
/// the fsync, the catalog transaction and the zstd work of a commit never block Swift's cooperative pool.
///
/// Records go in a page at a time (one hop per GetRecords page, not per record): ``append(_:using:)``
/// runs the whole page on the writer's thread. The commit protocol and its guarantees are the
/// ``StreamWriter``'s.
///
/// ```swift
/// let writer = try await AsyncStreamWriter.open(layout: layout, catalog: catalog, streamName: "Orders")
/// try await writer.openShard("shardId-1", dedupe: .sequence)
/// try await writer.append(page) { record, writer in try append(record, to: writer, shard: "shardId-1") }
/// let totals = try await writer.commit()
/// ```
public actor AsyncStreamWriter {
    private let thread: StoreThread
    private let writer: StreamWriter
    /// The stream written, as the catalog has it.
    public nonisolated let stream: StreamInfo

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    private init(thread: StoreThread, writer: StreamWriter) {
        self.thread = thread
        self.writer = writer
        self.stream = writer.stream
    }

    /// Opens a ``StreamWriter`` on a new writer thread (parameters as
    /// ``StreamWriter/init(layout:catalog:streamName:source:arn:region:tableName:viewType:configuration:clock:logger:)``).
    /// - Throws: ``ArchiveError`` with code `locked` if another process writes this stream.
    public static func open(
        layout: StorageLayout,
        catalog: Catalog,
        streamName: String,
        source: StreamSourceKind = .file,
        arn: String? = nil,
        region: String? = nil,
        tableName: String? = nil,
        viewType: String? = nil,
        configuration: WriterConfiguration = .init(),
        clock: WallClock = .system,
        logger: Logger = Logger(label: "streamvault.writer")
    ) async throws -> AsyncStreamWriter {
        let thread = StoreThread(name: "sv-writer")
        // Opening takes the lock, reads the catalog and may repair a torn segment tail: on the new thread too.
        let opener = WriterOpener(thread: thread)
        let writer = try await opener.open {
            try StreamWriter(
                layout: layout,
                catalog: catalog,
                streamName: streamName,
                source: source,
                arn: arn,
                region: region,
                tableName: tableName,
                viewType: viewType,
                configuration: configuration,
                clock: clock,
                logger: logger
            )
        }
        return AsyncStreamWriter(thread: thread, writer: writer)
    }

    /// See ``StreamWriter/openShard(_:parentShardID:adjacentParentShardID:dedupe:)``.
    @discardableResult
    public func openShard(
        _ shardID: String,
        parentShardID: String? = nil,
        adjacentParentShardID: String? = nil,
        dedupe: DedupeRule
    ) throws -> ShardInfo {
        try writer.openShard(shardID, parentShardID: parentShardID, adjacentParentShardID: adjacentParentShardID, dedupe: dedupe)
    }

    /// What one page of records did.
    public struct PageResult: Sendable, Equatable {
        /// Records buffered (durable after the next ``AsyncStreamWriter/commit()``).
        public var accepted = 0
        /// Records dropped as already archived.
        public var duplicates = 0

        public init(accepted: Int = 0, duplicates: Int = 0) {
            self.accepted = accepted
            self.duplicates = duplicates
        }
    }

    /// Offers a page of records, all on the writer's thread: `append` hands each to the ``StreamWriter``
    /// (one of its `append` methods) and says what it did. Stops at the first error; the records before it
    /// stay buffered.
    @discardableResult
    public func append<Page: Sequence & Sendable>(
        _ page: Page,
        using append: @Sendable (Page.Element, StreamWriter) throws -> StreamWriter.AppendResult
    ) throws -> PageResult {
        var result = PageResult()
        for record in page {
            switch try append(record, writer) {
            case .accepted: result.accepted += 1
            case .duplicate: result.duplicates += 1
            }
        }
        return result
    }

    /// Makes everything appended so far durable (``StreamWriter/commit()``).
    /// - Returns: The writer's totals after the commit.
    @discardableResult
    public func commit() throws -> StreamWriter.Statistics {
        try writer.commit()
        return writer.statistics
    }

    /// Commits, then seals the open segment (``StreamWriter/sealOpenSegment()``).
    public func sealOpenSegment() throws {
        try writer.sealOpenSegment()
    }

    /// Deletes the stream's expired segments (``StreamWriter/prune(now:dryRun:)``).
    public func prune(now: Int64, dryRun: Bool = false) throws -> PruneReport {
        try writer.prune(now: now, dryRun: dryRun)
    }

    /// Totals since the writer was opened.
    public var statistics: StreamWriter.Statistics { writer.statistics }

    /// Records the archive will hold once ``commit()`` returns.
    public var uncommittedRecords: Int { writer.uncommittedRecords }

    // MARK: Catalog writes beside the records

    /// The stream's shards, parents before children (``Catalog/shards(streamID:)``).
    public func shards() throws -> [ShardInfo] {
        try writer.catalog.shards(streamID: stream.id)
    }

    /// Records a gap in a shard: records lost before they were read (``StreamWriter/recordGap(shardRowID:afterSequence:reason:now:)``).
    public func recordGap(shardRowID: Int64, afterSequence: SequenceNumber?, reason: String, now: Int64) throws {
        try writer.recordGap(shardRowID: shardRowID, afterSequence: afterSequence, reason: reason, now: now)
    }

    /// Marks a shard closed and read to its end (``Catalog/markShardClosed(rowID:at:)``).
    public func markShardClosed(rowID: Int64, at now: Int64) throws {
        try writer.catalog.markShardClosed(rowID: rowID, at: now)
    }
}

/// Runs the opening of a writer on its thread before the ``AsyncStreamWriter`` exists.
private actor WriterOpener {
    private let thread: StoreThread

    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    init(thread: StoreThread) { self.thread = thread }

    func open(_ make: @Sendable () throws -> StreamWriter) throws -> sending StreamWriter {
        try make()
    }
}
