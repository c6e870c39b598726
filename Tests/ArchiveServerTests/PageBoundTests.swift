import ArchiveStore
import StreamModel
import StreamVaultTesting
import Testing

@testable import ArchiveServer

/// How far one GetRecords page plans into a shard: far enough for its limit, never the rest of the shard.
struct PageBoundTests {
    static func spans(_ records: [Int64], bytes: Int64 = 1000) -> [BlockSpan] {
        records.enumerated().map { BlockSpan(lastSequence: SequenceNumber("\(($0.offset + 1) * 100)")!, records: $0.element, rawBytes: bytes) }
    }

    @Test func stopsAtTheBlockThatFillsTheLimitAfterThePartlyReadFirstOne() throws {
        // The first block may be read already; the next three hold 300 records: enough for a limit of 250.
        let bound = try #require(RecordPageReader.bound(Self.spans([100, 100, 100, 100, 100, 100]), 250, 1 << 20))
        #expect(bound.upTo == SequenceNumber("400"))
        #expect(bound.truncated)
    }

    @Test func stopsAtTheByteBudgetToo() throws {
        let bound = try #require(RecordPageReader.bound(Self.spans([10, 10, 10, 10], bytes: 600_000), 1000, 1 << 20))
        #expect(bound.upTo == SequenceNumber("300"))
    }

    @Test func noBoundWhenTheShardEndsFirst() {
        #expect(RecordPageReader.bound(Self.spans([100, 100]), 1000, 1 << 20) == nil)
        #expect(RecordPageReader.bound([], 1000, 1 << 20) == nil)
    }

    @Test func aBoundAtTheShardsLastBlockIsNotATruncation() throws {
        let bound = try #require(RecordPageReader.bound(Self.spans([100, 100, 100]), 200, 1 << 20))
        #expect(bound.upTo == SequenceNumber("300") && !bound.truncated)
    }

    @Test func aFullPlanWithoutEnoughRecordsIsTruncatedAtItsLastBlock() throws {
        let spans = Self.spans(Array(repeating: 1, count: RecordPageReader.maxPlannedBlocks))
        let bound = try #require(RecordPageReader.bound(spans, 1000, 1 << 20))
        #expect(bound.upTo == spans.last?.lastSequence && bound.truncated)
    }
}

/// A shard of many small blocks (more than one page plans) read to its end through the API: nothing lost or repeated.
struct ManyBlocksTests {
    @Test func aShardOfManyBlocksIsReadWholeInOrder() async throws {
        let archive = try ServedArchive()
        let writer = try await AsyncStreamWriter.open(
            layout: archive.layout,
            catalog: archive.catalog,
            streamName: "orders",
            configuration: WriterConfiguration(blockBytes: 2048, commitBytes: 64 << 10)
        )
        let shard = "shardId-00000001767225600000-aaaaaaaa"
        try await writer.openShard(shard, dedupe: .sequence)
        let lines = SampleFiles.lines(records: 700, shards: 1)
        try await writer.append(lines) { line, writer in
            try Array(line.utf8).withUnsafeBufferPointer { bytes in
                var cursor = JSONCursor(UnsafeRawBufferPointer(bytes))
                let facts = try ChangeRecordScanner.scanNative(&cursor)
                return try writer.append(
                    bytes,
                    shard: shard,
                    sequence: facts.sequenceNumber,
                    eventID: facts.eventID,
                    eventTime: facts.eventTimeMillis,
                    format: .native
                )
            }
        }
        try await writer.commit()
        let blocks = try archive.catalog.blocks(streamID: writer.stream.id).count
        #expect(blocks > RecordPageReader.maxPlannedBlocks, "the test needs more blocks than one page plans (\(blocks))")
        let start = try await archive.ok(
            .kinesis,
            "GetShardIterator",
            ["StreamName": "orders", "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"]
        )
        let (records, _) = try await archive.drain(.kinesis, iterator: try #require(start["ShardIterator"] as? String), limit: 10_000)
        #expect(records.map { $0["SequenceNumber"] as? String } == (try lines.map { try DynamoDBStreamsAPITests.sequence($0) }))
    }
}
