import ArchiveStore
import Dispatch
import StreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads blocks and checks each against its catalog row before any of its records is used, so a replay can
/// stop cleanly *before* a damaged block: everything before it delivered, nothing of it.
///
/// Damage is: the block cannot be read (missing or truncated file), does not decompress (flipped bytes fail
/// zstd's checksum), its header disagrees with the catalog (shard, count, sequence range, format), it holds
/// a different number of records, or its first/last record's sequence number is not the catalog's.
/// Not thread-safe; one per replay. Reuses its buffers, so a warm reader allocates nothing per block.
///
/// ``readAhead(_:)`` reads and decompresses the next block on a second thread while the records of the current one
/// are delivered (a one-minute window at 10M records is 14 blocks): the checks still run in ``load(_:shard:)``, in
/// order, so damage is reported exactly where it was before.
final class CheckedBlockReader {
    private var reader: BlockReader
    private let catalog: Catalog
    private let layout: StorageLayout
    private let streamName: String
    private var ends: [Int] = []
    /// The block being read ahead, and the reader and line index it owns until it is taken or dropped.
    private var ahead: ReadAhead?
    /// The second reader, idle while no block is read ahead.
    private var spare: ReadAhead
    private let queue = DispatchQueue(label: "streamvault.replay.read-ahead")

    init(layout: StorageLayout, catalog: Catalog, streamName: String) throws {
        self.reader = try BlockReader(layout: layout, catalog: catalog)
        self.spare = ReadAhead(reader: try BlockReader(layout: layout, catalog: catalog))
        self.catalog = catalog
        self.layout = layout
        self.streamName = streamName
    }

    deinit { ahead?.done.wait() }

    /// Starts reading `block` on the read-ahead thread (if nothing is being read ahead already).
    func readAhead(_ block: BlockInfo) {
        guard ahead == nil else { return }
        let job = spare
        job.block = block
        job.header = nil
        job.error = nil
        job.done.enter()
        ahead = job
        queue.async {
            defer { job.done.leave() }
            do {
                job.header = try job.reader.read(block)
                Self.indexLines(job.reader.records, into: &job.ends)
            } catch {
                job.error = error
            }
        }
    }

    /// Waits for the block read ahead; returns it if it is `block`, else drops it.
    private func takeReadAhead(_ block: BlockInfo) -> ReadAhead? {
        guard let job = ahead else { return nil }
        job.done.wait()
        ahead = nil
        guard job.block == block else { return nil }
        return job
    }

    /// Size of the last block read, decompressed.
    var decompressedBytes: Int { reader.records.count }

    /// Reads `block` of `shard` and checks it; its records are then available through ``withRecords(_:)``.
    /// - Returns: the shape its records are stored in.
    /// - Throws: the ``ReplayDamage`` found.
    func load(_ block: BlockInfo, shard: ShardInfo) throws(DamageFound) -> RecordFormat {
        let header: BlockHeader
        if let job = takeReadAhead(block) {
            // The read-ahead reader becomes the current one; the current one is the next spare.
            swap(&reader, &job.reader)
            swap(&ends, &job.ends)
            spare = job
            guard let read = job.header else { throw DamageFound(damage(block, shard, "\(job.error.map { "\($0)" } ?? "unreadable")")) }
            header = read
        } else {
            do {
                header = try reader.read(block)
            } catch {
                throw DamageFound(damage(block, shard, "\(error)"))
            }
            Self.indexLines(reader.records, into: &ends)
        }
        if let problem = check(block, shard, header) { throw DamageFound(damage(block, shard, problem)) }
        return block.format
    }

    /// Calls `body` with the records of the last block loaded.
    func withRecords<R>(_ body: (BlockRecords) throws -> R) rethrows -> R {
        try reader.records.withUnsafeBufferPointer { bytes in
            try ends.withUnsafeBufferPointer { ends in try body(BlockRecords(bytes: bytes, ends: ends)) }
        }
    }

    /// Describes damage found outside ``load(_:shard:)`` (a record that no longer parses).
    func damage(_ block: BlockInfo, _ shard: ShardInfo, _ problem: String) -> ReplayDamage {
        let path = (try? catalog.segment(id: block.segmentID)).flatMap { $0 }.map { layout.segmentPath(stream: streamName, fileName: $0.fileName) }
        return ReplayDamage(
            segmentPath: path ?? "segment #\(block.segmentID) (not in the catalog)",
            blockOffset: block.offset,
            blockLength: block.length,
            shardID: shard.shardID,
            problem: problem
        )
    }

    /// Splits the decompressed records at newlines (memchr: this pass is the whole cost of a pass-through block).
    private static func indexLines(_ records: [UInt8], into ends: inout [Int]) {
        ends.removeAll(keepingCapacity: true)
        records.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            let count = all.count
            var start = 0
            while start < count {
                let end: Int
                if let hit = memchr(base + start, 0x0A, count - start) {
                    end = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                } else {
                    end = count
                }
                ends.append(end)
                start = end + 1
            }
        }
    }

    private func check(_ block: BlockInfo, _ shard: ShardInfo, _ header: BlockHeader) -> String? {
        if header.shard != shard.shardID {
            return "its header names shard '\(header.shard)', the catalog '\(shard.shardID)'"
        }
        if RecordFormat(rawValue: header.format) != block.format {
            return "its header says the records are \(header.format), the catalog \(block.format.rawValue)"
        }
        if Int64(header.count) != block.recordCount || SequenceNumber(header.firstSeq) != block.firstSeq
            || SequenceNumber(header.lastSeq) != block.lastSeq
        {
            return "its header (\(header.count) records, sequence \(header.firstSeq)...\(header.lastSeq)) disagrees with the catalog "
                + "(\(block.recordCount) records, sequence \(block.firstSeq)...\(block.lastSeq))"
        }
        if Int64(ends.count) != block.recordCount {
            return "it holds \(ends.count) records, the catalog says \(block.recordCount)"
        }
        guard StoredRecordFacts.supports(block.format), !ends.isEmpty else { return nil }
        return withRecords { records in
            let lastIndex = records.count - 1
            for (index, expected) in [(0, block.firstSeq), (lastIndex, block.lastSeq)] {
                let record = records[index]
                guard let facts = StoredRecordFacts.locate(record, block.format) else {
                    return "record \(index + 1) of the block has no SequenceNumber or event time"
                }
                let digits = UnsafeBufferPointer(rebasing: record[facts.sequence])
                // An ordered shard's block runs from its first to its last sequence number; an event-id shard's
                // block may hold them in any order, but never outside its range.
                let ok =
                    shard.dedupe == .sequence
                    ? SequenceNumber.compareDigits(digits, expected.text.utf8) == 0
                    : SequenceNumber.compareDigits(digits, block.firstSeq.text.utf8) >= 0
                        && SequenceNumber.compareDigits(digits, block.lastSeq.text.utf8) <= 0
                if !ok {
                    return "record \(index + 1) has sequence number \(String(decoding: digits, as: UTF8.self)), "
                        + "outside the catalog's \(block.firstSeq)...\(block.lastSeq)"
                }
            }
            return nil
        }
    }
}

/// A block read on the read-ahead thread: the reader and line index it fills, and what came of it.
///
/// `@unchecked Sendable`: between `readAhead` (which enters `done`) and the owner's `done.wait()`, only the
/// read-ahead thread touches it; afterwards only the owner does.
private final class ReadAhead: @unchecked Sendable {
    var reader: BlockReader
    var ends: [Int] = []
    var block: BlockInfo?
    var header: BlockHeader?
    var error: (any Error)?
    let done = DispatchGroup()

    init(reader: BlockReader) { self.reader = reader }
}

/// Thrown by ``CheckedBlockReader`` (typed, so the hot loop does not box errors).
struct DamageFound: Error {
    let damage: ReplayDamage
    init(_ damage: ReplayDamage) { self.damage = damage }
}
