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

    func replay(_ query: ReplayQuery) throws -> [String] {
        var out: [String] = []
        try ReplayEngine(layout: layout, catalog: catalog).run(query) { record, _ in
            out.append(String(decoding: record, as: UTF8.self))
            return true
        }
        return out
    }

    static func time(_ line: String) -> Int64 {
        let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let dynamodb = object["dynamodb"] as! [String: Any]
        return Int64((dynamodb["ApproximateCreationDateTime"] as! NSNumber).int64Value * 1000)
    }
}

struct ReplayEngineTests {
    @Test func fullReplayIsPerShardInSequenceOrder() throws {
        let f = try ReplayFixture()
        let out = try f.replay(ReplayQuery(stream: "orders"))
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
        let out = try f.replay(ReplayQuery(stream: "orders", from: from, to: to))
        #expect(Set(out) == Set(expected))
        #expect(out.count == expected.count)
    }

    @Test func timeOrderIsGlobal() throws {
        let f = try ReplayFixture()
        let out = try f.replay(ReplayQuery(stream: "orders", order: .time))
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
        let out = try f.replay(ReplayQuery(stream: "orders", shard: shard, fromSequence: SequenceNumber(low), toSequence: SequenceNumber(high)))
        #expect(out == Array(own[10...42]))
    }

    @Test func unknownStreamsAndShardsAreNamed() throws {
        let f = try ReplayFixture(records: 30)
        #expect { try f.replay(ReplayQuery(stream: "nope")) } throws: { "\($0)".contains("Known streams: orders") }
        #expect { try f.replay(ReplayQuery(stream: "orders", shard: "nope")) } throws: { "\($0)".contains("has no shard 'nope'") }
    }
}

extension String {
    var sequenceNumber: String {
        let start = range(of: "\"SequenceNumber\":\"")!.upperBound
        return String(self[start...].prefix { $0 != "\"" })
    }
}
