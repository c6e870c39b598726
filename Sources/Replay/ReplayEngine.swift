public import ArchiveStore
public import StreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the blocks a ``ReplayQuery`` needs through the catalog index, reads them, filters records at the
/// edges of the range, and hands each record (one line of JSON, as archived) to a closure.
///
/// Blocks entirely inside the range are passed through without parsing a record.
public final class ReplayEngine {
    public let layout: StorageLayout
    public let catalog: Catalog

    public init(layout: StorageLayout, catalog: Catalog) throws {
        self.layout = layout
        self.catalog = catalog
    }

    /// Replays `query`, calling `emit` with each record and the shape it is stored in. Return `false` from
    /// `emit` to stop early.
    @discardableResult
    public func run(_ query: ReplayQuery, emit: (UnsafeBufferPointer<UInt8>, RecordFormat) throws -> Bool) throws -> ReplayStatistics {
        let started = Self.now()
        var stats = ReplayStatistics()
        try query.validate()
        let stream = try catalog.requireStream(query.stream)
        let reader = try CheckedBlockReader(layout: layout, catalog: catalog, streamName: stream.name)
        let shards = try catalog.shards(streamID: stream.id)
        var selectedShards = shards
        if let wanted = query.shard {
            guard let shard = shards.first(where: { $0.shardID == wanted }) else {
                throw ArchiveError(
                    code: .unknownShard,
                    message:
                        "Stream '\(query.stream)' has no shard '\(wanted)'. Its shards: \(shards.map(\.shardID).joined(separator: ", ")). `streamvault ls` lists them."
                )
            }
            selectedShards = [shard]
        }
        let lookupStart = Self.now()
        var blocks: [BlockInfo]
        if query.hasTimeBounds {
            blocks = try catalog.blocks(streamID: stream.id, timeFrom: query.from ?? .min, timeTo: query.to ?? .max)
        } else if query.shard != nil {
            blocks = try catalog.blocks(shardRowID: selectedShards[0].rowID, sequenceFrom: query.fromSequence, sequenceTo: query.toSequence)
        } else {
            blocks = try catalog.blocks(streamID: stream.id)
        }
        let rowIDs = Set(selectedShards.map(\.rowID))
        blocks.removeAll { !rowIDs.contains($0.shardRowID) }
        if query.hasSequenceBounds {
            blocks.removeAll { b in
                (query.fromSequence.map { b.lastSeq < $0 } ?? false) || (query.toSequence.map { b.firstSeq > $0 } ?? false)
            }
        }
        stats.lookupNanos = Self.now() - lookupStart

        switch query.order {
        case .shard:
            let rank = Dictionary(uniqueKeysWithValues: selectedShards.enumerated().map { ($1.rowID, $0) })
            blocks.sort { (rank[$0.shardRowID] ?? 0, $0.id) < (rank[$1.shardRowID] ?? 0, $1.id) }
            blockLoop: for block in blocks {
                let shard = selectedShards[rank[block.shardRowID] ?? 0]
                let format = try load(block, shard, reader, &stats)
                let whole = contains(block, query)
                var keepGoing = true
                var damaged: String?
                try reader.withRecords { records in
                    for i in 0..<records.count where keepGoing {
                        let record = records[i]
                        if !whole {
                            guard let facts = StoredRecordFacts.locate(record, format) else {
                                damaged = "record \(i + 1) of the block has no SequenceNumber or event time"
                                return
                            }
                            guard matches(facts, record, query) else { continue }
                        }
                        stats.records += 1
                        keepGoing = try emit(record, format)
                    }
                }
                if let damaged { throw ReplayError.damaged(reader.damage(block, shard, damaged), statistics: stats) }
                if !keepGoing { break blockLoop }
            }
        case .time:
            try mergeByTime(blocks, selectedShards, query, reader, &stats, emit)
        }
        stats.totalNanos = Self.now() - started
        return stats
    }

    /// Loads and checks a block; damage ends the replay here (everything before it was emitted).
    private func load(_ block: BlockInfo, _ shard: ShardInfo, _ reader: CheckedBlockReader, _ stats: inout ReplayStatistics) throws -> RecordFormat {
        do throws(DamageFound) {
            let format = try reader.load(block, shard: shard)
            stats.blocksRead += 1
            stats.bytesDecompressed += reader.decompressedBytes
            return format
        } catch {
            throw ReplayError.damaged(error.damage, statistics: stats)
        }
    }

    /// Whether every record of `block` is inside the query (so no record needs parsing).
    private func contains(_ block: BlockInfo, _ query: ReplayQuery) -> Bool {
        if let from = query.from, block.minTime < from { return false }
        if let to = query.to, block.maxTime >= to { return false }
        if let low = query.fromSequence, block.firstSeq < low { return false }
        if let high = query.toSequence, block.lastSeq > high { return false }
        return true
    }

    private func matches(_ facts: StoredRecordFacts, _ record: UnsafeBufferPointer<UInt8>, _ query: ReplayQuery) -> Bool {
        if let from = query.from, facts.timeMillis < from { return false }
        if let to = query.to, facts.timeMillis >= to { return false }
        if query.hasSequenceBounds {
            let seq = UnsafeBufferPointer(rebasing: record[facts.sequence])
            if let low = query.fromSequence, SequenceNumber.compareDigits(seq, low.text.utf8) < 0 { return false }
            if let high = query.toSequence, SequenceNumber.compareDigits(seq, high.text.utf8) > 0 { return false }
        }
        return true
    }

    // MARK: Global time order

    /// Sweeps blocks by their earliest time: before a block is loaded, every buffered record older than that
    /// block's earliest record can be emitted, since no later block holds anything older. Memory is bounded
    /// by the blocks that overlap in time.
    private func mergeByTime(
        _ blocks: [BlockInfo],
        _ shards: [ShardInfo],
        _ query: ReplayQuery,
        _ reader: CheckedBlockReader,
        _ stats: inout ReplayStatistics,
        _ emit: (UnsafeBufferPointer<UInt8>, RecordFormat) throws -> Bool
    ) throws {
        let ordered = blocks.sorted { ($0.minTime, $0.id) < ($1.minTime, $1.id) }
        var arena: [UInt8] = []
        var pending: [(time: Int64, serial: Int, start: Int, length: Int, format: RecordFormat)] = []
        var serial = 0
        var stopped = false

        func drain(before limit: Int64) throws {
            pending.sort { ($0.time, $0.serial) < ($1.time, $1.serial) }
            let cut = pending.firstIndex { $0.time >= limit } ?? pending.count
            guard cut > 0 else { return }
            try arena.withUnsafeBufferPointer { all in
                for p in pending[..<cut] where !stopped {
                    stats.records += 1
                    stopped = !(try emit(UnsafeBufferPointer(rebasing: all[p.start..<(p.start + p.length)]), p.format))
                }
            }
            let rest = Array(pending[cut...])
            var newArena: [UInt8] = []
            pending = rest.map { p in
                let start = newArena.count
                newArena.append(contentsOf: arena[p.start..<(p.start + p.length)])
                return (p.time, p.serial, start, p.length, p.format)
            }
            arena = newArena
        }

        let shardByRow = Dictionary(uniqueKeysWithValues: shards.map { ($0.rowID, $0) })
        for block in ordered where !stopped {
            try drain(before: block.minTime)
            guard let shard = shardByRow[block.shardRowID] else { continue }
            // Damage here ends the output at the records older than this block; buffered younger ones would
            // not be a prefix of the undamaged replay, so they are not written.
            let format = try load(block, shard, reader, &stats)
            var damaged: String?
            reader.withRecords { records in
                for i in 0..<records.count {
                    let record = records[i]
                    guard let facts = StoredRecordFacts.locate(record, format) else {
                        damaged = "record \(i + 1) of the block has no SequenceNumber or event time"
                        return
                    }
                    guard matches(facts, record, query) else { continue }
                    pending.append((facts.timeMillis, serial, arena.count, record.count, format))
                    serial += 1
                    arena.append(contentsOf: record)
                }
            }
            if let damaged { throw ReplayError.damaged(reader.damage(block, shard, damaged), statistics: stats) }
        }
        if !stopped { try drain(before: .max) }
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
