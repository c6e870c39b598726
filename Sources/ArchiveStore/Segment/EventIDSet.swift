/// The event-id keys an event-id shard holds (committed or accepted this session), in memory: one look-up per
/// record, no allocation, no SQLite on the way in.
///
/// Open addressing with linear probing over two-word slots; removal shifts the following run back (no
/// tombstones). At most 3/4 full, so 21 to 43 bytes of memory per key. The all-zero key marks an empty slot, so
/// it is kept in a flag of its own. Keys are mixed before probing: decoded hex ids are chosen by whoever wrote
/// them, and must not be able to pile into one run.
struct EventIDSet {
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0
    private var holdsZero = false
    /// Random per set: ids chosen to collide under one seed do not collide under another.
    private let seed = UInt64.random(in: .min ... .max)

    /// Starts small (8 slots, 128 bytes): a time bucket of a quiet hour must not cost 16 KiB.
    init(minimumCapacity: Int = 0) {
        let capacity = Self.capacity(for: minimumCapacity)
        slots = [UInt64](repeating: 0, count: capacity * 2)
        mask = capacity - 1
    }

    /// Bytes of memory the slots take (what a memory bound counts).
    var byteCount: Int { slots.count * MemoryLayout<UInt64>.stride }

    /// What ``byteCount`` will be for a set made with `minimumCapacity` (to make room before building it).
    static func byteCount(minimumCapacity: Int) -> Int { capacity(for: minimumCapacity) * 2 * MemoryLayout<UInt64>.stride }

    private static func capacity(for minimumCapacity: Int) -> Int {
        var capacity = 8
        while capacity * 3 / 4 < minimumCapacity { capacity <<= 1 }
        return capacity
    }

    /// Adds `key`; false if it was already there.
    @discardableResult
    mutating func insert(_ key: EventIDKey) -> Bool {
        if key.high == 0 && key.low == 0 {
            guard !holdsZero else { return false }
            holdsZero = true
            count += 1
            return true
        }
        if (count + 1) * 4 > (mask + 1) * 3 { grow() }
        let (mask, seed) = (self.mask, self.seed)
        let inserted = slots.withUnsafeMutableBufferPointer { slots in
            var i = Self.home(key, mask, seed)
            while true {
                let high = slots[2 * i]
                let low = slots[2 * i + 1]
                if high == 0 && low == 0 {
                    slots[2 * i] = key.high
                    slots[2 * i + 1] = key.low
                    return true
                }
                if high == key.high && low == key.low { return false }
                i = (i + 1) & mask
            }
        }
        if inserted { count += 1 }
        return inserted
    }

    func contains(_ key: EventIDKey) -> Bool {
        if key.high == 0 && key.low == 0 { return holdsZero }
        return slots.withUnsafeBufferPointer { slots in
            var i = Self.home(key, mask, seed)
            while true {
                let high = slots[2 * i]
                let low = slots[2 * i + 1]
                if high == 0 && low == 0 { return false }
                if high == key.high && low == key.low { return true }
                i = (i + 1) & mask
            }
        }
    }

    /// Removes `key` if present (retention deleted its record).
    mutating func remove(_ key: EventIDKey) {
        if key.high == 0 && key.low == 0 {
            if holdsZero { count -= 1 }
            holdsZero = false
            return
        }
        let mask = self.mask
        let seed = self.seed
        let removed = slots.withUnsafeMutableBufferPointer { slots in
            var i = Self.home(key, mask, seed)
            while true {
                let high = slots[2 * i]
                let low = slots[2 * i + 1]
                if high == 0 && low == 0 { return false }
                if high == key.high && low == key.low { break }
                i = (i + 1) & mask
            }
            // Shift back each later key of the run whose home is not between the hole and itself.
            var hole = i
            var j = i
            while true {
                j = (j + 1) & mask
                let high = slots[2 * j]
                let low = slots[2 * j + 1]
                if high == 0 && low == 0 { break }
                let home = Self.home(EventIDKey(high: high, low: low), mask, seed)
                let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
                if stays { continue }
                slots[2 * hole] = high
                slots[2 * hole + 1] = low
                hole = j
            }
            slots[2 * hole] = 0
            slots[2 * hole + 1] = 0
            return true
        }
        if removed { count -= 1 }
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = old.count - 1
        count = holdsZero ? 1 : 0
        var i = 0
        while i < old.count {
            if old[i] != 0 || old[i + 1] != 0 { insert(EventIDKey(high: old[i], low: old[i + 1])) }
            i += 2
        }
    }

    private static func home(_ key: EventIDKey, _ mask: Int, _ seed: UInt64) -> Int {
        Int(truncatingIfNeeded: mix(mix(key.high ^ seed) ^ key.low)) & mask
    }

    /// A bijective 64-bit mixer (murmur3's finaliser).
    private static func mix(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}
