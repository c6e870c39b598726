public import ArchiveStore
import Metrics
import Synchronization

/// `streamvault_archive_stored_bytes{stream}` and `streamvault_archive_records{stream}`, refreshed from the
/// catalog (segment rows, through the async reader) before each `/metrics` answer.
public final class ArchiveSizeGauges: Sendable {
    private let catalog: Catalog
    private let gauges = Mutex<[String: (bytes: Gauge, records: Gauge)]>([:])

    /// Creates the gauges of the archive whose catalog is `catalog`.
    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// Reads the sizes and sets the gauges (a failed read leaves the last values).
    public func refresh() async {
        guard let sizes = try? await catalog.asyncReader.streamSizes() else { return }
        for size in sizes {
            let pair = gauges.withLock { cache in
                if let found = cache[size.stream] { return found }
                let made = (
                    bytes: Gauge(label: "streamvault_archive_stored_bytes", dimensions: [("stream", size.stream)]),
                    records: Gauge(label: "streamvault_archive_records", dimensions: [("stream", size.stream)])
                )
                cache[size.stream] = made
                return made
            }
            pair.bytes.record(size.storedBytes)
            pair.records.record(size.records)
        }
    }
}
