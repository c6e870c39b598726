import ArchiveStore
import StreamModel

/// Records read for ``ReplaySelection/Order/time`` but not yet delivered: their bytes in an arena, their
/// order keys beside. Both buffers are reused (two arenas swapped on compaction).
struct TimeMerge {
    struct Entry {
        var time: Int64
        var serial: Int
        var start: Int
        var length: Int
        var format: RecordFormat
        var shard: Int
    }
    var arena: [UInt8] = []
    var spare: [UInt8] = []
    var entries: [Entry] = []
    var kept: [Entry] = []
    /// Entries before this index are delivered.
    var cursor = 0
    var serial = 0

    /// Drops delivered entries and their bytes before more are added.
    mutating func compact() {
        spare.removeAll(keepingCapacity: true)
        kept.removeAll(keepingCapacity: true)
        for var entry in entries[cursor...] {
            let start = spare.count
            spare.append(contentsOf: arena[entry.start..<(entry.start + entry.length)])
            entry.start = start
            kept.append(entry)
        }
        swap(&arena, &spare)
        swap(&entries, &kept)
        cursor = 0
    }
}

extension ReplayPipeline {
    /// Sweeps blocks by their earliest time: before the next block is loaded, every buffered record older than
    /// that block's earliest record can go out, since no later block holds anything older. Memory is bounded
    /// by the blocks that overlap in time.
    ///
    /// Damage in a block ends the output at the records older than that block's earliest time: buffered younger
    /// ones would not be a prefix of the undamaged replay, so they are not delivered.
    func pumpTimeOrder(_ limit: Int, _ sink: inout some ReplaySink) throws -> Int {
        var delivered = 0
        // The position is found once per pump or block (a parse), not per record.
        var lastDelivered: TimeMerge.Entry?
        defer { if let lastDelivered { capturePosition(lastDelivered) } }
        while delivered < limit {
            let horizon = nextBlock < blocks.count ? blocks[nextBlock].info.minTime : .max
            if merge.cursor < merge.entries.count && merge.entries[merge.cursor].time < horizon {
                let entry = merge.entries[merge.cursor]
                merge.cursor += 1
                let shardID = shards[entry.shard].shardID
                let more = try merge.arena.withUnsafeBufferPointer { all in
                    let record = UnsafeBufferPointer(rebasing: all[entry.start..<(entry.start + entry.length)])
                    statistics.recordsRead += 1
                    guard try passesFilter(record, entry.format) else { return true }
                    delivered += 1
                    lastDelivered = entry
                    return try emit(record, entry.format, shardID, &sink)
                }
                if !more { break }
                continue
            }
            guard nextBlock < blocks.count else {
                isExhausted = true
                break
            }
            if let entry = lastDelivered {
                capturePosition(entry)  // before compaction moves the bytes
                lastDelivered = nil
            }
            try readIntoMerge(blocks[nextBlock])
            nextBlock += 1
        }
        if nextBlock >= blocks.count && merge.cursor >= merge.entries.count { isExhausted = true }
        return delivered
    }

    private func capturePosition(_ entry: TimeMerge.Entry) {
        let shardID = shards[entry.shard].shardID
        merge.arena.withUnsafeBufferPointer { all in
            let record = UnsafeBufferPointer(rebasing: all[entry.start..<(entry.start + entry.length)])
            position = Self.position(record, entry.format, shardID) ?? position
        }
    }

    private func readIntoMerge(_ planned: PlannedBlock) throws {
        let format = try load(planned)
        merge.compact()
        try reader.withRecords { records in
            for i in 0..<records.count {
                let record = records[i]
                guard let facts = StoredRecordFacts.locate(record, format) else {
                    throw DamageFound(
                        reader.damage(planned.info, shards[planned.shard], "record \(i + 1) of the block has no SequenceNumber or event time")
                    )
                }
                guard planned.matches(facts, record, selection) else { continue }
                merge.entries.append(
                    TimeMerge.Entry(
                        time: facts.timeMillis,
                        serial: merge.serial,
                        start: merge.arena.count,
                        length: record.count,
                        format: format,
                        shard: planned.shard
                    )
                )
                merge.serial += 1
                merge.arena.append(contentsOf: record)
            }
        }
        merge.entries.sort { ($0.time, $0.serial) < ($1.time, $1.serial) }
    }
}
