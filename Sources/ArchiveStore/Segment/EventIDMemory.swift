/// The memory bound of a writer's event-id buckets (``EventIDBuckets``), shared by all its event-id shards:
/// when loading or growing a bucket would pass ``limit``, whole buckets are evicted, least recently used first.
/// The bucket in use is never evicted, so one bucket larger than the limit is held alone.
final class EventIDMemory {
    let limit: Int
    private(set) var statistics: EventIDMemoryStatistics
    private var clock: UInt64 = 0
    private var owners: [EventIDBuckets] = []

    init(limit: Int) {
        self.limit = limit
        statistics = EventIDMemoryStatistics(limitBytes: limit)
    }

    func register(_ owner: EventIDBuckets) {
        owners.append(owner)
    }

    /// Marks `bucket` as the most recently used.
    func touch(_ bucket: EventIDBuckets.Bucket) {
        clock &+= 1
        bucket.lastUse = clock
    }

    /// Evicts until `bytes` more fit (before a bucket of that size is built).
    func reserve(_ bytes: Int) {
        makeRoom(for: bytes, keeping: nil)
    }

    func loaded(_ bucket: EventIDBuckets.Bucket) {
        touch(bucket)
        statistics.bucketLoads += 1
        statistics.residentBytes += bucket.keys.byteCount
        notePeak()
    }

    func grew(by bytes: Int, keeping bucket: EventIDBuckets.Bucket) {
        statistics.residentBytes += bytes
        makeRoom(for: 0, keeping: bucket)
        notePeak()
    }

    func released(_ bytes: Int) {
        statistics.residentBytes -= bytes
    }

    private func notePeak() {
        if statistics.residentBytes > statistics.peakResidentBytes { statistics.peakResidentBytes = statistics.residentBytes }
    }

    private func makeRoom(for bytes: Int, keeping: EventIDBuckets.Bucket?) {
        while statistics.residentBytes + bytes > limit {
            var victim: (owner: EventIDBuckets, bucket: EventIDBuckets.Bucket)?
            for owner in owners {
                for bucket in owner.buckets.values where bucket !== keeping {
                    if let found = victim, found.bucket.lastUse <= bucket.lastUse { continue }
                    victim = (owner, bucket)
                }
            }
            guard let victim else { return }
            victim.owner.evict(victim.bucket.index)
            statistics.bucketEvictions += 1
        }
    }
}

/// What a writer's event-id buckets hold and have done (``StreamWriter/eventIDMemory``).
public struct EventIDMemoryStatistics: Sendable, Equatable {
    /// The bound (``WriterConfiguration/eventIDMemoryBytes``).
    public var limitBytes: Int
    /// Bytes of keys in memory now, and the most there ever were (measured after each load or growth).
    public var residentBytes = 0
    public var peakResidentBytes = 0
    /// Buckets read from the catalog, and buckets dropped to stay within the bound.
    public var bucketLoads = 0
    public var bucketEvictions = 0

    public init(limitBytes: Int) {
        self.limitBytes = limitBytes
    }
}
