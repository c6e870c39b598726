public import Metrics
import Synchronization

/// The archiver's metrics, created once per stream and cached (dimensions stay bounded: stream, shard, error code).
///
/// | name | type | dimensions | meaning |
/// |---|---|---|---|
/// | `streamvault.archiver.lag` | gauge (ms) | stream, shard | how far the shard's reading is behind its newest record |
/// | `streamvault.archiver.records` | counter | stream | records committed to the archive |
/// | `streamvault.archiver.bytes` | counter | stream | their bytes as received (uncompressed) |
/// | `streamvault.archiver.duplicates` | counter | stream | records dropped as already archived (eventID or sequence number) |
/// | `streamvault.archiver.gaps` | counter | stream, shard | records lost to retention before they were read |
/// | `streamvault.archiver.errors` | counter | stream, code | AWS errors that reached the archiver (after the client's retries) |
/// | `streamvault.archiver.commits` | counter | stream | fsync + catalog transactions |
/// | `streamvault.archiver.shard_readers` | gauge | stream | shards read at once in the current round |
/// | `streamvault.archiver.stream_up` | gauge | stream | 1 while the stream is read; 0 before it was found, and after its run failed until it reads again |
/// | `streamvault.archiver.stream_failures` | counter | stream | runs that failed, and outages retried inside a run |
/// | `streamvault.archiver.leases_held` | gauge | stream | shard leases this node holds (`--lease-table`) |
/// | `streamvault.archiver.leases_taken` | counter | stream | leases taken because they were expired or unowned |
/// | `streamvault.archiver.leases_stolen` | counter | stream | leases taken from a live owner to balance the load |
/// | `streamvault.archiver.leases_lost` | counter | stream | leases this node stopped holding without releasing them |
public final class ArchiverMetrics: Sendable {
    let stream: String
    let factory: any MetricsFactory
    let records: Counter
    let bytes: Counter
    let duplicates: Counter
    let commits: Counter
    let readers: Gauge
    let up: Gauge
    let failures: Counter
    let heldLeases: Gauge
    let takenLeases: Counter
    let stolenLeases: Counter
    let lostLeases: Counter
    private let lags = Mutex<[String: Gauge]>([:])
    private let gapCounters = Mutex<[String: Counter]>([:])
    private let errorCounters = Mutex<[String: Counter]>([:])

    /// Creates the metrics of one archived stream.
    /// - Parameters:
    ///   - stream: The stream's name in the archive (the `stream` dimension).
    ///   - factory: The metrics backend; default the bootstrapped one.
    public init(stream: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.stream = stream
        self.factory = factory
        let dimensions = [("stream", stream)]
        records = Counter(label: "streamvault.archiver.records", dimensions: dimensions, factory: factory)
        bytes = Counter(label: "streamvault.archiver.bytes", dimensions: dimensions, factory: factory)
        duplicates = Counter(label: "streamvault.archiver.duplicates", dimensions: dimensions, factory: factory)
        commits = Counter(label: "streamvault.archiver.commits", dimensions: dimensions, factory: factory)
        readers = Gauge(label: "streamvault.archiver.shard_readers", dimensions: dimensions, factory: factory)
        up = Gauge(label: "streamvault.archiver.stream_up", dimensions: dimensions, factory: factory)
        failures = Counter(label: "streamvault.archiver.stream_failures", dimensions: dimensions, factory: factory)
        heldLeases = Gauge(label: "streamvault.archiver.leases_held", dimensions: dimensions, factory: factory)
        takenLeases = Counter(label: "streamvault.archiver.leases_taken", dimensions: dimensions, factory: factory)
        stolenLeases = Counter(label: "streamvault.archiver.leases_stolen", dimensions: dimensions, factory: factory)
        lostLeases = Counter(label: "streamvault.archiver.leases_lost", dimensions: dimensions, factory: factory)
    }

    /// The stream is read (1), or its run failed (0).
    func streamUp(_ isUp: Bool) { up.record(isUp ? 1 : 0) }

    /// The stream failed: down, and one more failure counted.
    func streamFailed() {
        up.record(0)
        failures.increment()
    }

    func leasesHeld(_ count: Int) { heldLeases.record(count) }
    func leaseTaken() { takenLeases.increment() }
    func leaseStolen() { stolenLeases.increment() }
    func leaseLost() { lostLeases.increment() }

    func shardReaders(_ count: Int) { readers.record(count) }

    func lag(shard: String, millis: Int64) {
        let gauge = lags.withLock { cache in
            if let gauge = cache[shard] { return gauge }
            let gauge = Gauge(label: "streamvault.archiver.lag", dimensions: [("stream", stream), ("shard", shard)], factory: factory)
            cache[shard] = gauge
            return gauge
        }
        gauge.record(max(millis, 0))
    }

    func gap(shard: String) {
        let counter = gapCounters.withLock { cache in
            if let counter = cache[shard] { return counter }
            let counter = Counter(label: "streamvault.archiver.gaps", dimensions: [("stream", stream), ("shard", shard)], factory: factory)
            cache[shard] = counter
            return counter
        }
        counter.increment()
    }

    func error(code: String) {
        let counter = errorCounters.withLock { cache in
            if let counter = cache[code] { return counter }
            let counter = Counter(label: "streamvault.archiver.errors", dimensions: [("stream", stream), ("code", code)], factory: factory)
            cache[code] = counter
            return counter
        }
        counter.increment()
    }
}
