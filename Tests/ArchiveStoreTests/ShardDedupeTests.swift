import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

/// A shard's duplicates rule, and what counts as a duplicate on each kind of shard (issue 9, defects 1, 12, 13).
struct ShardDedupeTests {
    func ingest(_ archive: TestArchive, _ path: String, shard: String?) throws -> IngestSummary {
        let ingestor = try Ingestor(layout: archive.layout, catalog: archive.catalog, options: IngestOptions(stream: "orders", shard: shard))
        return try ingestor.ingest(paths: [path])
    }

    func write(_ archive: TestArchive, _ name: String, _ lines: [String]) throws -> String {
        let path = archive.directory.file(name)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `--shard default` would make the event-id shard an ordered one (or the reverse) and drop records silently.
    @Test func theDefaultShardNameIsReserved() throws {
        let archive = try TestArchive()
        let path = try write(archive, "a.ndjson", SampleFiles.lines(records: 5, shards: 1))
        #expect {
            _ = try ingest(archive, path, shard: ShardInfo.defaultShardID)
        } throws: { error in
            (error as? ArchiveError)?.code == .invalidArgument && "\(error)".contains("reserved") && "\(error)".contains("--shard")
        }
        #expect(try archive.catalog.stream(named: "orders") == nil, "refused before anything was written")
    }

    @Test(arguments: [(DedupeRule.eventID, DedupeRule.sequence), (.sequence, .eventID)])
    func aShardNeverChangesItsDedupeRule(created: DedupeRule, then: DedupeRule) throws {
        let archive = try TestArchive()
        do {
            let writer = try archive.writer()
            try writer.openShard("x", dedupe: created)
            try TestArchive.append(SampleFiles.lines(records: 5, shards: 1), to: writer, shard: "x")
            try writer.commit()
        }
        let writer = try archive.writer()
        #expect {
            try writer.openShard("x", dedupe: then)
        } throws: { error in
            let message = "\(error)"
            return (error as? ArchiveError)?.code == .invalidArgument && message.contains("'\(created.rawValue)'")
                && message.contains("'\(then.rawValue)'")
        }
        #expect(try writer.openShard("x", dedupe: created).recordCount == 5, "the shard still opens with its own rule")
    }

    /// 200 unique records of three shards (their files one after another) through one `--shard`: not that
    /// shard's log in order. Before, most were skipped as duplicates with exit 0; now the run stops at the first
    /// record that proves it.
    @Test func outOfOrderInputOnANamedShardStopsInsteadOfDroppingRecords() throws {
        let archive = try TestArchive()
        let files = try SampleFiles.perShard(in: archive.directory.path, records: 200, shards: 3)
        let lines = files.flatMap(\.lines)
        let path = try write(archive, "mixed.ndjson", lines)
        var failure = ""
        do { _ = try ingest(archive, path, shard: "s1") } catch { failure = "\(error)" }
        #expect(failure.contains("\(path):"), "\(failure)")
        #expect(failure.contains("leave out --shard"), "\(failure)")
        let archived = try archive.records()
        #expect(archived == Array(lines.prefix(archived.count)), "everything before the offending record is archived, in order")
        // Without --shard the same input is fine.
        #expect(try ingest(archive, path, shard: nil).archived == 200)
    }

    /// At or below the position: a duplicate only if a block (committed or accepted this run) covers it.
    @Test func belowThePositionOnlyWhatABlockCoversIsADuplicate() throws {
        let archive = try TestArchive()
        let lines = SampleFiles.lines(records: 40, shards: 1)
        let writer = try archive.writer()
        try writer.openShard("s1", dedupe: .sequence)
        try TestArchive.append(Array(lines[0..<10]), to: writer, shard: "s1")
        try writer.commit()
        try TestArchive.append(Array(lines[20..<30]), to: writer, shard: "s1")  // records 10..<20 were never seen
        #expect(try TestArchive.append([lines[25]], to: writer, shard: "s1") == [.duplicate], "accepted this run")
        try writer.commit()
        #expect(
            try TestArchive.append([lines[5], lines[25], lines[20], lines[9]], to: writer, shard: "s1") == Array(repeating: .duplicate, count: 4)
        )
        // Inside a block's range but not in the block: a shard's log has no such record.
        let stranger = lines[6].replacingOccurrences(of: lines[6].sequenceNumber, with: String(lines[6].sequenceNumber.dropLast()) + "7")
        #expect(throws: ArchiveError.self) { try TestArchive.append([stranger], to: writer, shard: "s1") }
        #expect {
            try TestArchive.append([lines[15]], to: writer, shard: "s1")
        } throws: { error in
            let message = "\(error)"
            return (error as? ArchiveError)?.code == .invalidInput && message.contains(lines[15].sequenceNumber)
                && message.contains(lines[29].sequenceNumber)
        }
        try TestArchive.append(Array(lines[30...]), to: writer, shard: "s1")
        try writer.commit()
        #expect(try archive.records() == Array(lines[0..<10] + lines[20...]))
    }

    /// `"\u0041"` and `"A"` are the same eventID.
    @Test func eventIDsCompareByTheirDecodedValue() throws {
        let archive = try TestArchive()
        // Within one minute: a copy of a record carries its event time (docs/FORMAT.md, "Event-id index").
        let lines = SampleFiles.lines(records: 3, shards: 1, spanSeconds: 60)
        let id = eventIDOf(lines[0])
        let escapedID = "\\u00" + String(id.utf8.first!, radix: 16) + id.dropFirst()
        func withID(_ line: String, _ newID: String) -> String {
            line.replacingOccurrences(of: "\"eventID\":\"\(eventIDOf(line))\"", with: "\"eventID\":\"\(newID)\"")
        }
        let writer = try archive.writer()
        try writer.openShard("k", dedupe: .eventID)
        try TestArchive.append([lines[0]], to: writer, shard: "k")
        #expect(try TestArchive.append([withID(lines[1], escapedID)], to: writer, shard: "k") == [.duplicate], "same run")
        try writer.commit()
        try TestArchive.append([withID(lines[2], escapedID)], to: writer, shard: "k")
        try writer.commit()
        #expect(try archive.records() == [lines[0]], "already archived in an earlier commit")
    }

    func eventIDOf(_ line: String) -> String {
        let start = line.range(of: "\"eventID\":\"")!.upperBound
        return String(line[start...].prefix { $0 != "\"" })
    }

    /// Headers read from disk are checked before their numbers are used.
    @Test(arguments: ["count", "lastSeq", "firstSeq", "minTime", "maxTime", "format"])
    func hostileBlockHeadersAreRefusedByField(_ field: String) throws {
        var header = BlockHeader(shard: "s", count: 2, firstSeq: "1", lastSeq: "2", minTime: 0, maxTime: 10, format: .native, rawBytes: 9)
        try header.validate("block 1")
        switch field {
        case "count": header.count = -1
        case "lastSeq": header.lastSeq = "x"
        case "firstSeq": header.firstSeq = "9"
        case "minTime": header.minTime = -9_223_372_036_854_775_000
        case "maxTime": header.maxTime = 9_223_372_036_854_775_000
        default: header.format = "?"
        }
        #expect {
            try header.validate("block 1")
        } throws: { error in
            (error as? ArchiveError)?.code == .segmentCorrupt && "\(error)".contains("block 1: block header field '\(field)'")
        }
    }

    /// Catalog rebuild feeds headers read from disk: hostile times must not trap in the span arithmetic.
    @Test func aBlockWithAHostileTimeRangeDoesNotTrapTheCommit() throws {
        let archive = try TestArchive()
        let header = BlockHeader(
            shard: "s",
            count: 1,
            firstSeq: "1",
            lastSeq: "1",
            minTime: -9_223_372_036_854_775_000,
            maxTime: 9_223_372_036_854_775_000,
            format: .native,
            rawBytes: 1
        )
        #expect(header.timeSpanMillis == Int64.max)
        let stream = try archive.catalog.ensureStream("orders", source: .file, now: 0)
        let shard = try archive.catalog.ensureShard(streamID: stream.id, shardID: "s", dedupe: .sequence, now: 0)
        let segment = try archive.catalog.createSegment(
            streamID: stream.id,
            fileName: "20261123T184000Z-1a2b3c4d.ndjson.zst",
            committedBytes: 0,
            now: 0
        )
        var commit = BlockCommit(streamID: stream.id, segmentID: segment.id, committedBytes: 10)
        commit.blocks = [.init(shardRowID: shard.rowID, offset: 0, length: 10, header: header)]
        try archive.catalog.commit(commit)
        #expect(try archive.catalog.requireStream("orders").maxBlockSpanMillis == Int64.max)
    }
}
