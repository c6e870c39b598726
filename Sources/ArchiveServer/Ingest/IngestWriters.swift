import ArchiveStore
import Logging

/// The open ``AsyncStreamWriter`` of each stream ingest has written to, opened on first use and kept.
actor IngestWriters {
    private let layout: StorageLayout
    private let catalog: Catalog
    private let logger: Logger
    private var writers: [String: AsyncStreamWriter] = [:]

    init(layout: StorageLayout, catalog: Catalog, logger: Logger) {
        self.layout = layout
        self.catalog = catalog
        self.logger = logger
    }

    /// The writer of `stream`, opening it (and creating the stream) the first time.
    func writer(_ stream: String) async throws -> AsyncStreamWriter {
        if let writer = writers[stream] { return writer }
        let writer = try await AsyncStreamWriter.open(layout: layout, catalog: catalog, streamName: stream, logger: logger)
        // Another request may have opened it meanwhile (the actor was free during the await): keep the first.
        if let existing = writers[stream] { return existing }
        writers[stream] = writer
        return writer
    }

    /// Seals every open segment (graceful shutdown).
    func closeAll() async {
        for writer in writers.values { try? await writer.sealOpenSegment() }
        writers.removeAll()
    }
}
