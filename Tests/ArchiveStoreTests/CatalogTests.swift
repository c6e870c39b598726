import Foundation
import GRDB
import StreamModel
import StreamVaultTesting
import Testing

@testable import ArchiveStore

/// The catalog runs the same on an in-memory queue and an on-disk WAL pool.
enum Backend: CaseIterable {
    case inMemoryQueue, onDiskPool

    func makeCatalog(_ dir: TemporaryDirectory) throws -> Catalog {
        switch self {
        case .inMemoryQueue: return try Catalog(database: DatabaseQueue())
        case .onDiskPool: return try Catalog(path: dir.file("catalog.sqlite"))
        }
    }
}

struct CatalogTests {
    @Test(arguments: Backend.allCases)
    func freshCatalogIsEmpty(_ backend: Backend) throws {
        let dir = try TemporaryDirectory()
        let catalog = try backend.makeCatalog(dir)
        #expect(try catalog.streams().isEmpty)
        #expect(try catalog.stream(named: "orders") == nil)
        #expect(throws: ArchiveError.self) { try catalog.requireStream("orders") }
    }

    @Test(arguments: Backend.allCases)
    func shardsComeParentsFirst(_ backend: Backend) throws {
        let dir = try TemporaryDirectory()
        let catalog = try backend.makeCatalog(dir)
        let stream = try catalog.ensureStream("orders", source: .dynamodbStreams, now: 0)
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "child-b", parentShardID: "parent", dedupe: .sequence, now: 1)
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "grandchild", parentShardID: "child-b", dedupe: .sequence, now: 2)
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "parent", dedupe: .sequence, now: 3)
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "orphan", parentShardID: "trimmed-away", dedupe: .sequence, now: 4)
        #expect(try catalog.shards(streamID: stream.id).map(\.shardID) == ["parent", "orphan", "child-b", "grandchild"])
    }

    @Test(arguments: Backend.allCases)
    func windowQueryFindsOnlyOverlappingBlocks(_ backend: Backend) throws {
        let dir = try TemporaryDirectory()
        let catalog = try backend.makeCatalog(dir)
        let stream = try catalog.ensureStream("orders", source: .file, now: 0)
        let shard = try catalog.ensureShard(streamID: stream.id, shardID: "s", dedupe: .sequence, now: 0)
        let segment = try catalog.createSegment(streamID: stream.id, fileName: "20260101T000000Z-0000000a.ndjson.zst", committedBytes: 10, now: 0)
        var commit = BlockCommit(streamID: stream.id, segmentID: segment.id, committedBytes: 1010)
        for i in 0..<100 {  // block i covers minutes [i, i+1)
            let header = BlockHeader(
                shard: "s",
                count: 1,
                firstSeq: "\(i + 1)",
                lastSeq: "\(i + 1)",
                minTime: Int64(i) * 60_000,
                maxTime: Int64(i) * 60_000 + 59_999,
                format: .native,
                rawBytes: 1
            )
            commit.blocks.append(.init(shardRowID: shard.rowID, offset: Int64(10 + i * 10), length: 10, header: header))
        }
        commit.checkpoints[shard.rowID] = SequenceNumber("00100")  // emulators zero-pad; AFTER_SEQUENCE_NUMBER needs the text back
        try catalog.commit(commit)
        let hits = try catalog.blocks(streamID: stream.id, timeFrom: 30 * 60_000 + 5, timeTo: 32 * 60_000)
        #expect(hits.map(\.firstSeq.text) == ["31", "32"])
        let bySeq = try catalog.blocks(shardRowID: shard.rowID, sequenceFrom: SequenceNumber("9"), sequenceTo: SequenceNumber("11"))
        #expect(bySeq.map(\.firstSeq.text) == ["9", "10", "11"], "sequence ranges compare numerically, not as text")
        #expect(try catalog.shards(streamID: stream.id).first?.checkpoint?.text == "00100")
        let totals = try catalog.totals(streamID: stream.id)
        #expect(totals.records == 100 && totals.blocks == 100 && totals.storedBytes == 1010)
    }

    @Test(arguments: Backend.allCases)
    func gapsAreKeptWithTheirReason(_ backend: Backend) throws {
        let dir = try TemporaryDirectory()
        let catalog = try backend.makeCatalog(dir)
        let stream = try catalog.ensureStream("orders", source: .dynamodbStreams, now: 0)
        let shard = try catalog.ensureShard(streamID: stream.id, shardID: "s", dedupe: .sequence, now: 0)
        try catalog.recordGap(
            streamID: stream.id,
            shardRowID: shard.rowID,
            afterSequence: SequenceNumber("42"),
            reason: "TrimmedDataAccessException",
            now: 5
        )
        let gaps = try catalog.gaps(streamID: stream.id)
        #expect(gaps.count == 1)
        #expect(gaps.first?.afterSequence?.text == "42" && gaps.first?.shardID == "s")
        #expect(try catalog.totals(streamID: stream.id).gaps == 1)
    }
}
