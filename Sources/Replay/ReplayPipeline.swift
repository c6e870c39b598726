public import ArchiveStore
import Dispatch
public import StreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The record pipeline behind `streamvault replay`, and later the handler drivers, export and the server:
///
///     selection -> blocks (catalog index) -> checked read -> filter -> conversion -> sink
///
/// - **Selection** (``ReplaySelection``): stream, event-time range, shard, sequence range, order, resume
///   position. The catalog index finds the blocks; blocks wholly inside the range pass through without a
///   record being parsed, records of edge blocks are located (sequence number, time) and matched.
/// - **Checked read**: each block is checked against its catalog row before any record of it is used.
///   Damage ends the replay right there: every record before it has been delivered, none of the damaged
///   block, and ``ReplayError`` (code ``ReplayError/Code/damagedBlock``) says which segment and block.
/// - **Filter** (``RecordFilter``): drops records, counted in ``ReplayStatistics/recordsFiltered``.
/// - **Conversion**: to `format` through ``RecordConverter`` (one per stored shape, reused).
/// - **Sink** (``ReplaySink``): takes records in order; may stop the run.
///
/// Run to the end with ``run(into:)``, or pull with ``next(_:into:)``: N records at a time, with
/// ``position`` (shard + last sequence number) to resume from in a later run (``ReplaySelection/after``).
///
/// ```swift
/// let pipeline = try ReplayPipeline(
///     catalog: catalog, layout: layout,
///     selection: ReplaySelection(stream: "orders", from: t0, to: t1),
///     filter: EventNameFilter([.remove]), format: .plain)
/// var sink = NDJSONSink(BufferedOutput(fileDescriptor: 1))
/// let statistics = try pipeline.run(into: &sink)
/// ```
///
/// The hot loop allocates nothing per record: blocks are decompressed into reused buffers, records are
/// views into them, converters and their scratch buffers are reused. Not thread-safe; one per task.
public final class ReplayPipeline {
    /// What is replayed.
    public let selection: ReplaySelection
    /// The output shape; `nil` delivers records as archived.
    public let format: RecordFormat?
    /// The selected shards, in lineage order (parents first).
    public let shards: [ShardInfo]
    /// Counts so far (complete once ``isExhausted``).
    public internal(set) var statistics = ReplayStatistics()
    /// The last record delivered (shard and sequence number), to resume after; `nil` before the first.
    public internal(set) var position: ReplayPosition?
    /// Whether every selected record has been delivered (or filtered).
    public internal(set) var isExhausted = false

    let reader: CheckedBlockReader
    /// Blocks in reading order: shard order, or by earliest time for ``ReplaySelection/Order/time``.
    let blocks: [PlannedBlock]
    var nextBlock = 0
    private var filter: (any RecordFilter)?
    private let conversionOptions: ConversionOptions
    private var converters: [RecordConverter?] = Array(repeating: nil, count: RecordFormat.allCases.count)
    private var converted: [UInt8] = []
    private let started: UInt64
    private var failure: ReplayError?
    /// Shard order: the block being delivered and the next record in it.
    private var current: LoadedBlock?
    /// Time order: records read but not yet delivered.
    var merge = TimeMerge()

    /// Plans a replay: checks the selection and finds its blocks in the catalog index (nothing is read yet).
    /// - Parameters:
    ///   - catalog: the archive's catalog.
    ///   - layout: where the archive's files are.
    ///   - selection: what to replay.
    ///   - filter: drops records before conversion; `nil` delivers all selected records.
    ///   - format: the output shape; `nil` (default) delivers records as archived.
    ///   - conversion: facts conversion may need (table name, region, stream ARN); default: from the catalog's stream.
    /// - Throws: ``ReplayError`` (``ReplayError/Code/invalidSelection``) or ``ArchiveError`` (unknown stream or shard).
    public init(
        catalog: Catalog,
        layout: StorageLayout,
        selection: ReplaySelection,
        filter: (any RecordFilter)? = nil,
        format: RecordFormat? = nil,
        conversion: ConversionOptions? = nil
    ) throws {
        started = Self.now()
        try selection.validate()
        self.selection = selection
        self.filter = filter
        self.format = format
        let stream = try catalog.requireStream(selection.stream)
        if let conversion {
            conversionOptions = conversion
        } else {
            var options = ConversionOptions()
            options.tableName = stream.tableName ?? stream.name
            options.region = stream.region
            options.streamARN = stream.arn
            conversionOptions = options
        }
        reader = try CheckedBlockReader(layout: layout, catalog: catalog, streamName: stream.name)
        let lookupStart = Self.now()
        var plan = try BlockPlan(catalog: catalog, stream: stream, selection: selection)
        if let key = filter?.requiredItemKey {
            statistics.blocksSkipped = try plan.skipBlocks(without: key, catalog: catalog)
        }
        shards = plan.shards
        blocks = plan.blocks
        statistics.lookupNanos = Self.now() - lookupStart
    }

    /// Delivers every selected record to `sink`, until the end or until the sink returns `false`.
    /// - Returns: the run's statistics.
    /// - Throws: ``ReplayError`` on damage (after delivering every record before it) or a failed conversion;
    ///   whatever the sink or filter throws.
    @discardableResult
    public func run(into sink: inout some ReplaySink) throws -> ReplayStatistics {
        _ = try pump(Int.max, &sink)
        return statistics
    }

    /// Delivers up to `maxRecords` records to `sink` (fewer if the sink returns `false` or the selection ends).
    /// - Returns: `false` once the selection is exhausted (nothing more will come).
    /// - Throws: as ``run(into:)``; after damage, every later call throws the same error.
    public func next(_ maxRecords: Int, into sink: inout some ReplaySink) throws -> Bool {
        _ = try pump(maxRecords, &sink)
        return !isExhausted
    }

    /// - Returns: the number of records delivered.
    private func pump(_ limit: Int, _ sink: inout some ReplaySink) throws -> Int {
        if let failure { throw failure }
        defer { statistics.totalNanos = Self.now() - started }
        do {
            switch selection.order {
            case .shard: return try pumpShardOrder(limit, &sink)
            case .time: return try pumpTimeOrder(limit, &sink)
            }
        } catch let found as DamageFound {
            statistics.damage = found.damage
            let error = ReplayError.damaged(found.damage, statistics: statistics)
            failure = error
            throw error
        }
    }

    // MARK: Shard order

    private struct LoadedBlock {
        var index: Int
        var format: RecordFormat
        var count: Int
        var nextRecord = 0
    }

    private func pumpShardOrder(_ limit: Int, _ sink: inout some ReplaySink) throws -> Int {
        var delivered = 0
        var stop = false
        while delivered < limit && !stop {
            if current == nil {
                guard nextBlock < blocks.count else {
                    isExhausted = true
                    break
                }
                let format = try load(blocks[nextBlock])
                current = LoadedBlock(index: nextBlock, format: format, count: reader.withRecords { $0.count })
                nextBlock += 1
                // Decompressed on the second core while this block's records go out.
                if nextBlock < blocks.count { reader.readAhead(blocks[nextBlock].info) }
            }
            guard var block = current else { break }
            let planned = blocks[block.index]
            let shard = shards[planned.shard]
            try reader.withRecords { records in
                var lastDelivered: Int?
                defer {
                    if let lastDelivered { position = Self.position(records[lastDelivered], block.format, shard.shardID) ?? position }
                }
                while block.nextRecord < records.count && delivered < limit {
                    let i = block.nextRecord
                    block.nextRecord += 1
                    let record = records[i]
                    if !planned.whole {
                        guard let facts = StoredRecordFacts.locate(record, block.format) else {
                            throw DamageFound(reader.damage(planned.info, shard, "record \(i + 1) of the block has no SequenceNumber or event time"))
                        }
                        guard planned.matches(facts, record, selection) else { continue }
                    }
                    statistics.recordsRead += 1
                    guard try passesFilter(record, block.format) else { continue }
                    delivered += 1
                    lastDelivered = i
                    if try !emit(record, block.format, shard.shardID, &sink) {
                        stop = true
                        return
                    }
                }
            }
            current = block.nextRecord < block.count ? block : nil
        }
        if current == nil && nextBlock >= blocks.count { isExhausted = true }
        return delivered
    }

    /// Loads a planned block, counting it.
    func load(_ planned: PlannedBlock) throws(DamageFound) -> RecordFormat {
        let format = try reader.load(planned.info, shard: shards[planned.shard])
        statistics.blocksRead += 1
        statistics.bytesDecompressed += reader.decompressedBytes
        return format
    }

    // MARK: Conversion and delivery

    /// Filters, converts and delivers one record already inside the selection; counts it.
    /// - Returns: whether the sink wants more.
    @inline(__always)
    func emit(_ stored: UnsafeBufferPointer<UInt8>, _ storedFormat: RecordFormat, _ shardID: String, _ sink: inout some ReplaySink) throws -> Bool {
        statistics.recordsDelivered += 1
        guard let format, format != storedFormat else {
            return try sink.deliver(ReplayRecord(bytes: stored, format: storedFormat, stored: stored, storedFormat: storedFormat, shardID: shardID))
        }
        let slot = Self.slot(storedFormat)
        if converters[slot] == nil { converters[slot] = RecordConverter(from: storedFormat, to: format, options: conversionOptions) }
        converted.removeAll(keepingCapacity: true)
        do throws(ShapeError) {
            try converters[slot]!.convert(stored, into: &converted)
        } catch {
            throw ReplayError(
                code: .conversionFailed,
                message: "Converting an archived \(storedFormat.rawValue) record of shard '\(shardID)' to \(format.rawValue) failed: \(error)."
            )
        }
        return try converted.withUnsafeBufferPointer { bytes in
            try sink.deliver(ReplayRecord(bytes: bytes, format: format, stored: stored, storedFormat: storedFormat, shardID: shardID))
        }
    }

    /// The filter stage; counts what it drops.
    @inline(__always)
    func passesFilter(_ record: UnsafeBufferPointer<UInt8>, _ format: RecordFormat) throws -> Bool {
        guard filter != nil else { return true }
        if try filter!.accepts(record, format: format) { return true }
        statistics.recordsFiltered += 1
        return false
    }

    static func position(_ record: UnsafeBufferPointer<UInt8>, _ format: RecordFormat, _ shardID: String) -> ReplayPosition? {
        guard let facts = StoredRecordFacts.locate(record, format),
            let sequence = SequenceNumber(String(decoding: record[facts.sequence], as: UTF8.self))
        else { return nil }
        return ReplayPosition(shardID: shardID, sequenceNumber: sequence)
    }

    private static func slot(_ format: RecordFormat) -> Int {
        RecordFormat.allCases.firstIndex(of: format) ?? 0
    }

    /// Monotonic nanoseconds (CLOCK_MONOTONIC). Through Dispatch: with NIO in the module, an optimized build
    /// resolves `timespec` to Dispatch's C copy, whose members this file cannot see.
    static func now() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }
}
