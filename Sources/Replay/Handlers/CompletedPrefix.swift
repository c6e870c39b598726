/// The checkpoint of the shard being replayed: the last record before which every record is done (delivered or
/// in the on-failure file), though lanes finish out of order under ParallelizationFactor.
///
/// Records get ordinals as they are placed in batches; their sequence numbers wait in one reused arena until
/// the prefix passes them (no allocation per record).
struct CompletedPrefix {
    private var arena: [UInt8] = []
    private var ends: [Int] = []
    /// Ordinal of `ends[head]`.
    private var baseOrdinal = 0
    private var head = 0
    private var headStart = 0
    /// Records placed so far.
    private(set) var placed = 0
    /// Records known done (the prefix), as a count from the shard's start.
    private(set) var done = 0

    mutating func reset() { self = CompletedPrefix() }

    /// Places the next record (its sequence number digits); returns its ordinal.
    mutating func place(_ sequence: ArraySlice<UInt8>) -> Int {
        arena.append(contentsOf: sequence)
        ends.append(arena.count)
        placed += 1
        return placed - 1
    }

    /// Moves the prefix up to (not including) `firstUnfinished`; returns the new last done record's sequence
    /// number when the prefix moved.
    mutating func advance(to firstUnfinished: Int) -> String? {
        let target = min(firstUnfinished, placed)
        guard target > done else { return nil }
        let lastIndex = target - 1 - baseOrdinal
        let start = lastIndex == 0 ? 0 : ends[lastIndex - 1]
        let text = String(decoding: arena[start..<ends[lastIndex]], as: UTF8.self)
        head = target - baseOrdinal
        headStart = ends[head - 1]
        done = target
        if head > 4096 && head * 2 > ends.count { compact() }
        return text
    }

    private mutating func compact() {
        arena.removeSubrange(0..<headStart)
        ends.removeSubrange(0..<head)
        for i in ends.indices { ends[i] -= headStart }
        baseOrdinal += head
        head = 0
        headStart = 0
    }
}
