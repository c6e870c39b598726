import ArchiveStore
import Foundation
import Replay
import StreamModel
import StreamVaultTesting
import Testing

/// An archive of `records` generated records over `shards` shards (one ingest per shard), built once per test.
struct ReplayFixture {
    let directory: TemporaryDirectory
    let layout: StorageLayout
    let catalog: Catalog
    let lines: [String]
    let shardIDs: [String]

    init(records: Int = 600, shards: Int = 3, blockKiB: Int = 16) throws {
        directory = try TemporaryDirectory("replay")
        layout = StorageLayout(root: directory.path + "/storage")
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        catalog = try Catalog(path: layout.catalogPath)
        let files = try SampleFiles.perShard(in: directory.path, records: records, shards: shards)
        var options = IngestOptions(stream: "orders")
        options.writer.blockBytes = blockKiB << 10
        for file in files {
            options.shard = file.shard
            _ = try Ingestor(layout: layout, catalog: catalog, options: options).ingest(paths: [file.path])
        }
        lines = SampleFiles.lines(records: records, shards: shards)
        shardIDs = files.map(\.shard)
    }

    func pipeline(_ selection: ReplaySelection, filter: (any RecordFilter)? = nil, format: RecordFormat? = nil) throws -> ReplayPipeline {
        try ReplayPipeline(catalog: catalog, layout: layout, selection: selection, filter: filter, format: format)
    }

    func replay(_ selection: ReplaySelection) throws -> [String] {
        var sink = CollectingSink()
        try pipeline(selection).run(into: &sink)
        return sink.lines
    }

    static func time(_ line: String) -> Int64 {
        let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let dynamodb = object["dynamodb"] as! [String: Any]
        return Int64((dynamodb["ApproximateCreationDateTime"] as! NSNumber).int64Value * 1000)
    }
}

/// Keeps what it is given, as text; stops after `limit` records when set.
struct CollectingSink: ReplaySink {
    var lines: [String] = []
    var shards: [String] = []
    var limit = Int.max

    mutating func deliver(_ record: ReplayRecord) throws -> Bool {
        lines.append(String(decoding: record.bytes, as: UTF8.self))
        shards.append(record.shardID)
        return lines.count < limit
    }
}

struct ReplayPipelineTests {
    @Test func fullReplayIsPerShardInSequenceOrder() throws {
        let f = try ReplayFixture()
        let out = try f.replay(ReplaySelection(stream: "orders"))
        #expect(out.count == f.lines.count)
        #expect(Set(out) == Set(f.lines))
        var lastSeq: [String: String] = [:]
        var shardOrder: [String] = []
        for line in out {
            let shard = f.shardIDs[f.lines.firstIndex(of: line)! % f.shardIDs.count]
            if shardOrder.last != shard { shardOrder.append(shard) }
            if let previous = lastSeq[shard] { #expect(SequenceNumber(previous)! < SequenceNumber(line.sequenceNumber)!) }
            lastSeq[shard] = line.sequenceNumber
        }
        #expect(shardOrder.count == f.shardIDs.count, "each shard comes out as one run")
    }

    @Test(arguments: [(3_600, 3_660), (0, 60), (86_340, 90_000), (7_200, 7_200), (40_000, 50_000)])
    func timeWindowsAreFromInclusiveToExclusive(_ fromOffset: Int64, _ toOffset: Int64) throws {
        let f = try ReplayFixture()
        let start: Int64 = 1_767_225_600_000
        let (from, to) = (start + fromOffset * 1000, start + toOffset * 1000)
        let expected = f.lines.filter { (from..<to).contains(ReplayFixture.time($0)) }
        let out = try f.replay(ReplaySelection(stream: "orders", from: from, to: to))
        #expect(Set(out) == Set(expected))
        #expect(out.count == expected.count)
    }

    @Test func timeOrderIsGlobal() throws {
        let f = try ReplayFixture()
        let out = try f.replay(ReplaySelection(stream: "orders", order: .time))
        #expect(out.count == f.lines.count)
        let times = out.map(ReplayFixture.time)
        #expect(times == times.sorted())
    }

    @Test func sequenceRangesAreInclusiveWithinOneShard() throws {
        let f = try ReplayFixture()
        let shard = f.shardIDs[1]
        let own = f.lines.enumerated().filter { $0.offset % f.shardIDs.count == 1 }.map(\.element)
        let low = own[10].sequenceNumber
        let high = own[42].sequenceNumber
        let out = try f.replay(ReplaySelection(stream: "orders", shard: shard, fromSequence: SequenceNumber(low), toSequence: SequenceNumber(high)))
        #expect(out == Array(own[10...42]))
    }

    @Test func unknownStreamsAndShardsAreNamed() throws {
        let f = try ReplayFixture(records: 30)
        #expect { try f.replay(ReplaySelection(stream: "nope")) } throws: { "\($0)".contains("Known streams: orders") }
        #expect { try f.replay(ReplaySelection(stream: "orders", shard: "nope")) } throws: { "\($0)".contains("has no shard 'nope'") }
    }

    @Test(arguments: [
        ReplaySelection(stream: "orders", from: -1),
        ReplaySelection(stream: "orders", to: 253_402_300_800_000),
        ReplaySelection(stream: "orders", from: -9_223_372_036_854_775_000),
        ReplaySelection(stream: "orders", from: 2_000, to: 1_000),
        ReplaySelection(stream: "orders", shard: "s", fromSequence: SequenceNumber("200"), toSequence: SequenceNumber("100")),
        ReplaySelection(stream: "orders", fromSequence: SequenceNumber("1")),
        ReplaySelection(stream: "orders", order: .time, after: ReplayPosition(shardID: "s", sequenceNumber: SequenceNumber("1")!)),
        ReplaySelection(stream: "orders", after: ReplayPosition(shardID: "not-a-shard", sequenceNumber: SequenceNumber("1")!)),
    ])
    func invalidSelectionsAreRefusedBeforeAnyWork(_ selection: ReplaySelection) throws {
        let f = try ReplayFixture(records: 30)
        #expect { try f.pipeline(selection) } throws: { ($0 as? ReplayError)?.code == .invalidSelection }
    }

    @Test(arguments: [[EventName.remove], [.insert, .modify], EventName.allCases])
    func eventNameFilterDeliversOnlyThoseEventsAndCountsTheRest(_ names: [EventName]) throws {
        let f = try ReplayFixture()
        var sink = CollectingSink()
        let stats = try f.pipeline(ReplaySelection(stream: "orders", order: .time), filter: EventNameFilter(names)).run(into: &sink)
        let expected = f.lines.filter { line in names.contains { line.contains("\"eventName\":\"\($0.rawValue)\"") } }
        #expect(!expected.isEmpty)
        #expect(sink.lines == expected)
        #expect(stats.recordsRead == f.lines.count)
        #expect(stats.recordsDelivered == expected.count)
        #expect(stats.recordsFiltered == f.lines.count - expected.count)
    }

    @Test func conversionGivesWhatTheConverterGives() throws {
        let f = try ReplayFixture(records: 90)
        var sink = CollectingSink()
        try f.pipeline(ReplaySelection(stream: "orders"), format: .plain).run(into: &sink)
        let stored = try f.replay(ReplaySelection(stream: "orders"))
        var options = ConversionOptions()
        options.tableName = "orders"
        var converter = RecordConverter(from: .native, to: .plain, options: options)
        let expected = try stored.map { String(decoding: try converter.convert(Array($0.utf8)), as: UTF8.self) }
        #expect(sink.lines == expected)
    }

    /// Pulling N at a time gives the same records as one run; a new pipeline resumed after any batch's
    /// position gives exactly the rest.
    @Test(arguments: [1, 7, 100, 599, 600, 1000])
    func batchesAndResumeGiveExactlyTheRest(_ batch: Int) throws {
        let f = try ReplayFixture()
        let selection = ReplaySelection(stream: "orders", from: 1_767_225_600_000 + 3_600_000)
        let all = try f.replay(selection)
        let pipeline = try f.pipeline(selection)
        var sink = CollectingSink()
        var positions: [(delivered: Int, position: ReplayPosition?)] = []
        while try pipeline.next(batch, into: &sink) {
            positions.append((sink.lines.count, pipeline.position))
            #expect(sink.lines.count % batch == 0 || sink.lines.count == all.count)
        }
        #expect(sink.lines == all)
        #expect(pipeline.isExhausted && pipeline.statistics.recordsDelivered == all.count)
        for (delivered, position) in positions.prefix(5) + positions.suffix(2) {
            let position = try #require(position)
            #expect(position.sequenceNumber.text == all[delivered - 1].sequenceNumber)
            var resumedSelection = selection
            resumedSelection.after = position
            let rest = try f.replay(resumedSelection)
            #expect(rest == Array(all[delivered...]), "resumed after \(position)")
        }
    }

    /// In time order too, the position after each batch is the last record delivered (found once per batch).
    @Test(arguments: [1, 50, 333])
    func timeOrderPositionIsTheLastRecordDelivered(_ batch: Int) throws {
        let f = try ReplayFixture()
        let pipeline = try f.pipeline(ReplaySelection(stream: "orders", order: .time))
        var sink = CollectingSink()
        var more = true
        while more {
            more = try pipeline.next(batch, into: &sink)
            if let last = sink.lines.last {
                #expect(pipeline.position?.sequenceNumber.text == last.sequenceNumber)
                #expect(pipeline.position?.shardID == sink.shards.last)
            }
        }
        #expect(sink.lines.count == f.lines.count)
    }

    @Test func aSinkCanStopTheRun() throws {
        let f = try ReplayFixture()
        for order in ReplaySelection.Order.allCases {
            var sink = CollectingSink(limit: 5)
            let stats = try f.pipeline(ReplaySelection(stream: "orders", order: order)).run(into: &sink)
            #expect(sink.lines.count == 5 && stats.recordsDelivered == 5)
        }
    }

    /// Damage found by the library: the records before it were delivered, the error names the block, and
    /// asking for more throws the same error.
    @Test(arguments: ReplaySelection.Order.allCases)
    func damageStopsTheRunAfterDeliveringWhatCameBefore(_ order: ReplaySelection.Order) throws {
        let f = try ReplayFixture()
        let all = try f.replay(ReplaySelection(stream: "orders", order: order))
        let blocks = try f.catalog.blocks(streamID: try f.catalog.requireStream("orders").id).sorted { $0.offset < $1.offset }
        let target = blocks[blocks.count / 2]
        let segment = try #require(try f.catalog.segment(id: target.segmentID))
        let path = f.layout.segmentPath(stream: "orders", fileName: segment.fileName)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(target.offset + target.length / 2))
        try handle.write(contentsOf: Data([0xFF, 0x00, 0xFF, 0x00]))
        try handle.close()

        let pipeline = try f.pipeline(ReplaySelection(stream: "orders", order: order))
        var sink = CollectingSink()
        var thrown: ReplayError?
        do { try pipeline.run(into: &sink) } catch let error as ReplayError { thrown = error }
        let error = try #require(thrown)
        #expect(error.code == .damagedBlock)
        #expect(error.damage?.blockOffset == target.offset && error.damage?.segmentPath == path)
        #expect(error.statistics?.recordsDelivered == sink.lines.count)
        #expect(pipeline.statistics.damage == error.damage)
        #expect(!sink.lines.isEmpty && sink.lines == Array(all.prefix(sink.lines.count)))
        #expect(sink.lines.count < all.count)
        #expect { try pipeline.next(10, into: &sink) } throws: { ($0 as? ReplayError)?.code == .damagedBlock }
    }
}

extension String {
    var sequenceNumber: String {
        let start = range(of: "\"SequenceNumber\":\"")!.upperBound
        return String(self[start...].prefix { $0 != "\"" })
    }
}
