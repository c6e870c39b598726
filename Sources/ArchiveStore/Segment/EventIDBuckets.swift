import Foundation

/// One event-id shard's keys in memory, by hour of event time (docs/FORMAT.md, "Event-id index").
///
/// A copy of a record is the same record, so it carries the same event time: it can only repeat a record of a
/// block whose time range holds that time. So hour `B`'s set holds the keys of every block of the shard
/// overlapping `B`, read from the catalog when a record of `B` first needs it, and the shard's memory is what a
/// shared ``EventIDMemory`` budget allows: whole buckets are evicted, least recently used first.
///
/// Keys accepted but not yet committed are not in the catalog: they stay in `pending` (bucket and key) until
/// the commit, and a bucket loaded meanwhile takes them from there. Keys migrated from catalogs before v6 have
/// no time: they are held whole, in one set, while any exist.
final class EventIDBuckets {
    /// Width of a bucket: one hour of event time.
    static let bucketMillis: Int64 = 3_600_000

    final class Bucket {
        let index: Int64
        var keys: EventIDSet
        /// The budget's clock when the bucket was last made current (LRU).
        var lastUse: UInt64 = 0

        init(index: Int64, keys: EventIDSet) {
            self.index = index
            self.keys = keys
        }
    }

    let shardRowID: Int64
    private let catalog: Catalog
    private unowned let memory: EventIDMemory
    private(set) var buckets: [Int64: Bucket] = [:]
    /// The bucket of the last record: time-ordered input stays in it without a dictionary look-up.
    private var current: Bucket?
    private var migrated = EventIDSet()
    private var migratedLoaded = false
    /// Keys accepted since the last commit, with their bucket.
    private var pending: [(bucket: Int64, key: EventIDKey)] = []

    init(shardRowID: Int64, catalog: Catalog, memory: EventIDMemory) {
        self.shardRowID = shardRowID
        self.catalog = catalog
        self.memory = memory
        pending.reserveCapacity(1024)
        memory.register(self)
    }

    /// The bucket of an event time (floor division: times before 1970 too).
    @inline(__always)
    static func bucketIndex(_ time: Int64) -> Int64 {
        let q = time / bucketMillis
        return time % bucketMillis < 0 ? q - 1 : q
    }

    /// Adds the key of a record at `time`; false if the shard already holds it (a duplicate).
    func insert(_ key: EventIDKey, time: Int64) throws -> Bool {
        if !migratedLoaded {
            migrated = try catalog.migratedEventIDSet(shardRowID: shardRowID)
            migratedLoaded = true
        }
        if migrated.count > 0 && migrated.contains(key) { return false }
        let index = Self.bucketIndex(time)
        let bucket: Bucket
        if let current, current.index == index {
            bucket = current
        } else {
            bucket = try makeCurrent(index)
        }
        let before = bucket.keys.byteCount
        guard bucket.keys.insert(key) else { return false }
        pending.append((index, key))
        let after = bucket.keys.byteCount
        if after != before { memory.grew(by: after - before, keeping: bucket) }
        return true
    }

    /// Takes back the key ``insert(_:time:)`` just accepted (the record was not buffered after all).
    func remove(_ key: EventIDKey, time: Int64) {
        let index = Self.bucketIndex(time)
        buckets[index]?.keys.remove(key)
        if let last = pending.last, last.bucket == index, last.key == key { pending.removeLast() }
    }

    /// Everything accepted so far is in the catalog now.
    func committed() {
        pending.removeAll(keepingCapacity: true)
    }

    /// Retention deleted records of the shard: loaded keys are dropped and read again when needed.
    func dropLoaded() {
        for index in Array(buckets.keys) { evict(index) }
        migrated = EventIDSet()
        migratedLoaded = false
    }

    /// Drops bucket `index` from memory (the budget evicts through this).
    func evict(_ index: Int64) {
        guard let bucket = buckets.removeValue(forKey: index) else { return }
        if current === bucket { current = nil }
        memory.released(bucket.keys.byteCount)
    }

    private func makeCurrent(_ index: Int64) throws -> Bucket {
        if let loaded = buckets[index] {
            memory.touch(loaded)
            current = loaded
            return loaded
        }
        // Saturating: the first and last hours of Int64's range must not trap.
        let (start, low) = index.multipliedReportingOverflow(by: Self.bucketMillis)
        let (end, high) = start.addingReportingOverflow(Self.bucketMillis - 1)
        let lists = try catalog.eventIDKeyLists(shardRowID: shardRowID, from: low ? .min : start, through: low || high ? .max : end)
        var count = lists.reduce(0) { $0 + $1.count } / EventIDKey.byteCount
        count += pending.reduce(0) { $0 + ($1.bucket == index ? 1 : 0) }
        // Room first, then the set: the bound holds while the bucket is built.
        memory.reserve(EventIDSet.byteCount(minimumCapacity: count))
        var keys = EventIDSet(minimumCapacity: count)
        for list in lists {
            list.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    keys.insert(EventIDKey(bytes: raw, at: offset))
                    offset += EventIDKey.byteCount
                }
            }
        }
        for entry in pending where entry.bucket == index { keys.insert(entry.key) }
        let bucket = Bucket(index: index, keys: keys)
        buckets[index] = bucket
        current = bucket
        memory.loaded(bucket)
        return bucket
    }
}
