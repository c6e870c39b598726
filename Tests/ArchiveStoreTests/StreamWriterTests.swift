import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

struct StreamWriterTests {
    @Test func recordsComeBackByteForByteAfterCommit() throws {
        let archive = try TestArchive()
        let lines = SampleFiles.lines(records: 300, shards: 1)
        let writer = try archive.writer(configuration: .init(blockBytes: 16 << 10))
        try writer.openShard("s1", dedupe: .sequence)
        try TestArchive.append(lines, to: writer, shard: "s1")
        #expect(try archive.records().isEmpty, "nothing is visible before commit")
        #expect(try writer.commit() == 300)
        #expect(try archive.records() == lines)
        let stream = try archive.catalog.requireStream("orders")
        #expect(try archive.catalog.blocks(streamID: stream.id).count > 1, "16 KiB blocks cut 300 records into several")
    }

    @Test func sequenceShardDropsWhatIsAtOrBelowTheCheckpoint() throws {
        let archive = try TestArchive()
        let lines = SampleFiles.lines(records: 100, shards: 1)
        do {
            let writer = try archive.writer()
            try writer.openShard("s1", dedupe: .sequence)
            try TestArchive.append(Array(lines[0..<60]), to: writer, shard: "s1")
            try writer.commit()
        }
        let writer = try archive.writer()
        let checkpoint = try writer.openShard("s1", dedupe: .sequence).checkpoint
        #expect(checkpoint?.text == SequenceNumber(lines[59].sequenceNumber)?.text)
        let results = try TestArchive.append(lines, to: writer, shard: "s1")
        #expect(results.filter { $0 == .duplicate }.count == 60)
        try writer.commit()
        #expect(try archive.records() == lines)
        #expect(writer.statistics.duplicates == 60)
    }

    @Test func eventIDShardKeepsOneCopyPerEventIDInAnyOrder() throws {
        let archive = try TestArchive()
        let lines = SampleFiles.lines(records: 80, shards: 3)
        let shuffled = lines.reversed() + lines.shuffled()
        let writer = try archive.writer(configuration: .init(blockBytes: 8 << 10))
        try writer.openShard(ShardInfo.defaultShardID, dedupe: .eventID)
        try TestArchive.append(Array(lines[0..<30]), to: writer, shard: ShardInfo.defaultShardID)
        try writer.commit()
        try TestArchive.append(Array(shuffled), to: writer, shard: ShardInfo.defaultShardID)
        try writer.commit()
        let archived = try archive.records()
        #expect(archived.count == 80)
        #expect(Set(archived) == Set(lines))
        #expect(writer.statistics.duplicates == 80 + 80 - 50)
    }

    /// A Kinesis shard redelivers a change at a higher sequence number: the copy is dropped, but the shard's
    /// position still moves past it, so a restart does not read it again.
    @Test func eventIDShardCheckpointMovesPastDroppedDuplicates() throws {
        let archive = try TestArchive()
        let lines = SampleFiles.lines(records: 5, shards: 1)
        let redelivered = lines[2].replacingOccurrences(of: lines[2].sequenceNumber, with: "999999999999999999999999")
        do {
            let writer = try archive.writer()
            try writer.openShard("k1", dedupe: .eventID)
            try TestArchive.append(lines, to: writer, shard: "k1")
            try writer.commit()
            try TestArchive.append([redelivered], to: writer, shard: "k1")
            try writer.commit()
            #expect(writer.statistics.duplicates == 1)
        }
        let writer = try archive.writer()
        #expect(try writer.openShard("k1", dedupe: .eventID).checkpoint?.text == "999999999999999999999999")
        #expect(try archive.records() == lines)
    }

    @Test func aTornTailIsCutOffWhenTheStreamIsReopened() throws {
        let archive = try TestArchive()
        let lines = SampleFiles.lines(records: 50, shards: 1)
        do {
            let writer = try archive.writer()
            try writer.openShard("s1", dedupe: .sequence)
            try TestArchive.append(lines, to: writer, shard: "s1")
            try writer.commit()
        }
        let path = try #require(try archive.segmentPaths().first)
        let committed = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 0xAB, count: 777))  // a block whose commit never happened
        try handle.close()
        do {
            let writer = try archive.writer()
            try writer.openShard("s1", dedupe: .sequence)
            try writer.commit()
        }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == committed)
        #expect(try archive.records() == lines)
    }

    @Test func aSecondWriterOfTheSameStreamIsToldWhoHoldsTheLock() throws {
        let archive = try TestArchive()
        let first = try archive.writer()
        #expect {
            _ = try archive.writer()
        } throws: { error in
            let e = error as? ArchiveError
            return e?.code == .locked && e?.message.contains("pid \(getpid())") == true
        }
        _ = first
        _ = try archive.writer("payments")  // other streams are independent
    }

    @Test func segmentsRollBySizeAndAgeAndSealedOnesCarryTheirDigest() throws {
        let archive = try TestArchive()
        let clock = TestClock()
        let lines = SampleFiles.lines(records: 400, shards: 1)
        let writer = try archive.writer(
            configuration: .init(blockBytes: 4 << 10, maxSegmentBytes: 64 << 10, maxSegmentAge: .seconds(60)),
            clock: clock.wallClock
        )
        try writer.openShard("s1", dedupe: .sequence)
        for chunk in stride(from: 0, to: 400, by: 50) {
            try TestArchive.append(Array(lines[chunk..<(chunk + 50)]), to: writer, shard: "s1")
            try writer.commit()
        }
        let stream = try archive.catalog.requireStream("orders")
        var segments = try archive.catalog.segments(streamID: stream.id)
        #expect(segments.count > 1, "64 KiB segments must roll")
        #expect(segments.dropLast().allSatisfy { $0.state == .sealed && $0.sha256?.count == 64 })
        let beforeAge = segments.count
        clock.advance(by: .seconds(61))
        try TestArchive.append(SampleFiles.lines(records: 401, shards: 1).suffix(1), to: writer, shard: "s1")
        try writer.commit()
        segments = try archive.catalog.segments(streamID: stream.id)
        #expect(segments.count == beforeAge + 1, "an hour-old segment is sealed before the next commit")
        #expect(try archive.records().count == 401)
        let report = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        #expect(report.isClean, "\(report.findings)")
    }

    @Test func multiLineRecordsAreRefused() throws {
        let archive = try TestArchive()
        let writer = try archive.writer()
        try writer.openShard("s1", dedupe: .sequence)
        let text = Array("{\n}".utf8)
        #expect(throws: ArchiveError.self) {
            try text.withUnsafeBufferPointer { try writer.append($0, shard: "s1", sequence: 0..<1, eventID: nil, eventTime: 0, format: .native) }
        }
    }
}

extension String {
    /// The SequenceNumber field of a native record line (test helper).
    var sequenceNumber: String {
        let marker = "\"SequenceNumber\":\""
        let start = range(of: marker)!.upperBound
        return String(self[start...].prefix { $0 != "\"" })
    }
}
