import Foundation
import GRDB
import StreamModel
import StreamVaultTesting
import Testing

@testable import ArchiveStore

/// The event-id index of event-id shards (issue 13): 128-bit keys, exact for DynamoDB's ids, one key list per block.
struct EventIDIndexTests {
    static let hex = "0123456789abcdef0123456789abcdef"

    /// Pairs of eventIDs (as decoded text) and whether they must share a key.
    static let keyCases: [(String, String, Bool)] = [
        (hex, hex, true),
        (hex, "0123456789abcdef0123456789abcdee", false),
        (hex, hex.uppercased(), false),  // a different text: a different record
        ("0123456789ABCDEF0123456789ABCDEF", "0123456789ABCDEF0123456789ABCDEF", true),
        (hex, String(hex.dropLast()), false),  // 31 digits
        (String(hex.dropLast()), String(hex.dropLast()), true),
        (hex, hex + "0", false),  // 33 digits
        ("event-1", "event-1", true),
        ("event-1", "event-2", false),
        ("", "", true),
        ("00000000000000000000000000000000", "", false),
        ("g123456789abcdef0123456789abcdef", "g123456789abcdef0123456789abcdef", true),
    ]

    @Test(arguments: keyCases)
    func keysAreEqualExactlyWhenTheIDsAre(_ a: String, _ b: String, same: Bool) {
        #expect((key(a) == key(b)) == same, "\(a) vs \(b)")
    }

    /// DynamoDB's ids are decoded, not hashed: the key is the id's 16 bytes.
    @Test func lowercaseHexIDsAreTheirOwnBytes() {
        #expect(key(Self.hex) == EventIDKey(high: 0x0123_4567_89ab_cdef, low: 0x0123_4567_89ab_cdef))
        var bytes: [UInt8] = []
        key(Self.hex).append(to: &bytes)
        #expect(bytes == [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef])
        #expect(bytes.withUnsafeBytes { EventIDKey(bytes: $0, at: 0) } == key(Self.hex))
    }

    /// JSON escapes are resolved before keying: `\u0030` is `0`.
    @Test(arguments: ["\\u0030123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcde\\u0066", "\\/x", "x\\n"])
    func escapedIDsAreKeyedByTheirDecodedText(_ escaped: String) throws {
        let decoded = try JSONSerialization.jsonObject(with: Data("\"\(escaped)\"".utf8), options: .fragmentsAllowed) as? String
        let fromEscaped = Array(escaped.utf8).withUnsafeBufferPointer { EventIDKey(jsonStringContent: $0) }
        #expect(fromEscaped == key(try #require(decoded)))
    }

    @Test func theSetFindsInsertsAndRemovesAcrossGrowth() {
        var set = EventIDSet()
        var state: UInt64 = 3
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        let keys = (0..<5000).map { _ in EventIDKey(high: next(), low: next()) } + [EventIDKey(high: 0, low: 0)]
        for k in keys {
            let inserted = set.insert(k)
            #expect(inserted)
        }
        for k in keys {
            let inserted = set.insert(k)
            #expect(!inserted)
        }
        #expect(set.count == keys.count)
        for k in keys.enumerated() where k.offset % 2 == 0 { set.remove(k.element) }
        for k in keys.enumerated() { #expect(set.contains(k.element) == (k.offset % 2 == 1)) }
        #expect(set.count == keys.count / 2)
    }

    func key(_ id: String) -> EventIDKey {
        Array(id.utf8).withUnsafeBufferPointer { EventIDKey(eventID: $0) }
    }

    // MARK: Through the writer

    enum Moment: String, CaseIterable {
        case sameBatch, nextBatch, nextWriter
    }

    static let ids = [hex, hex.uppercased(), "0123456789abcdef", "event-7", "\\u0030123456789abcdef0123456789abcdef"]

    /// A second record with the same eventID and event time (another sequence number and body) is a duplicate wherever it comes;
    /// an id differing only in case, length or an escape that decodes differently is not.
    @Test(arguments: ids, Moment.allCases)
    func theSameIDIsADuplicateWhereverItComes(_ id: String, _ moment: Moment) throws {
        let archive = try TestArchive()
        let lines = SampleFiles.lines(records: 4, shards: 1)
        let shard = ShardInfo.defaultShardID
        var first: StreamWriter? = try archive.writer()
        try first?.openShard(shard, dedupe: .eventID)
        try TestArchive.append([withID(lines[0], id)], to: try #require(first), shard: shard)
        switch moment {
        case .sameBatch: break
        case .nextBatch: try first?.commit()
        case .nextWriter:
            try first?.commit()
            first = nil  // releases the stream's lock
            first = try archive.writer()
            try first?.openShard(shard, dedupe: .eventID)
        }
        let writer = try #require(first)
        #expect(try TestArchive.append([withTime(of: lines[0], withID(lines[1], id))], to: writer, shard: shard) == [.duplicate])
        let other =
            id.contains("\\") ? id.replacingOccurrences(of: "\\u0030", with: "\\u0031") : id == id.lowercased() ? id.uppercased() : id.lowercased()
        let different = other == id ? id + "x" : other
        #expect(try TestArchive.append([withID(lines[2], different)], to: writer, shard: shard) == [.accepted])
        try writer.commit()
        #expect(try archive.records() == [withID(lines[0], id), withID(lines[2], different)])
        #expect(try archive.catalog.eventIDIndexKeyBytes() == 2 * 16, "one 16-byte key per archived record")
    }

    /// Copies of one record inside one input, then the whole input again: one copy, and the check path drops all.
    @Test func duplicatesInsideOneBatchAndTheSameInputAgain() throws {
        let archive = try TestArchive()
        let lines = SampleFiles.lines(records: 300, shards: 3)
        do {
            let writer = try archive.writer(configuration: .init(blockBytes: 4 << 10))
            try writer.openShard(ShardInfo.defaultShardID, dedupe: .eventID)
            let results = try TestArchive.append(lines + lines.prefix(50), to: writer, shard: ShardInfo.defaultShardID)
            #expect(results.filter { $0 == .duplicate }.count == 50)
            try writer.commit()
        }
        let again = try archive.writer()
        try again.openShard(ShardInfo.defaultShardID, dedupe: .eventID)
        #expect(try TestArchive.append(lines.shuffled(), to: again, shard: ShardInfo.defaultShardID).allSatisfy { $0 == .duplicate })
        #expect(try again.commit() == 0)
        #expect(Set(try archive.records()) == Set(lines))
        #expect(try archive.catalog.eventIDIndexKeyBytes() == Int64(lines.count * 16))
    }

    /// The writer that prunes forgets the deleted records' keys: a deleted record sent again is archived again.
    @Test(arguments: [false, true])
    func pruningForgetsTheDeletedKeys(migrated: Bool) throws {
        let archive = try TestArchive()
        let lines = RetentionTests.lines(days: 400)
        try RetentionTests.write(lines[...], to: archive, dedupe: .eventID)
        if migrated { try moveKeysToMigratedTable(archive) }
        let writer = try archive.writer(configuration: .init(blockBytes: 2 << 10, maxSegmentBytes: 6 << 10))
        try writer.openShard(ShardInfo.defaultShardID, dedupe: .eventID)
        let kept = try #require(lines.last)
        #expect(try TestArchive.append([kept], to: writer, shard: ShardInfo.defaultShardID) == [.duplicate], "loads the shard's keys")
        let report = try writer.prune(now: RetentionTests.start + 400 * RetentionTests.day)
        #expect(!report.deleted.isEmpty)
        let remaining = try archive.records()
        #expect(try archive.catalog.eventIDIndexKeyBytes() == Int64(remaining.count * 16), "the deleted records' keys are gone from the catalog")
        let gone = try #require(lines.first { !Set(remaining).contains($0) })
        #expect(try TestArchive.append([gone, kept], to: writer, shard: ShardInfo.defaultShardID) == [.accepted, .duplicate])
        #expect(try writer.commit() == 1)
    }

    /// The keys a catalog from before v6 holds live in `event_id_keys`, not in per-block lists.
    func moveKeysToMigratedTable(_ archive: TestArchive) throws {
        try archive.catalog.database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO event_id_keys (shard_id, key)
                    SELECT b.shard_id, substr(e.keys, 16 * n.i + 1, 16) FROM block_event_ids e JOIN blocks b ON b.id = e.block_id
                    JOIN (WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 1000) SELECT i FROM c) n
                    ON 16 * n.i < length(e.keys)
                    """
            )
            try db.execute(sql: "DELETE FROM block_event_ids")
        }
    }

    /// A catalog written by the v5 schema (one row per decoded eventID) keeps recognising its records after v6.
    @Test func aV5CatalogKeepsDeduplicatingAfterTheMigration() throws {
        let directory = try TemporaryDirectory("v5-catalog")
        let layout = StorageLayout(root: directory.path + "/storage")
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        let ids = [Self.hex, Self.hex.uppercased(), "event-1", "A\u{e9}"]
        do {
            let v5 = try DatabaseQueue(path: layout.catalogPath)
            try CatalogSchema.migrator.migrate(v5, upTo: "v5: block key filters")
            try v5.write { db in
                try db.execute(sql: "INSERT INTO streams (id, name, source, created_at) VALUES (1, 'orders', 'file', 0)")
                try db.execute(
                    sql: "INSERT INTO shards (id, stream_id, shard_id, dedupe, created_at) VALUES (1, 1, ?, 'event-id', 0)",
                    arguments: [ShardInfo.defaultShardID]
                )
                for id in ids {
                    try db.execute(sql: "INSERT INTO event_ids (shard_id, event_id) VALUES (1, ?)", arguments: [Data(id.utf8)])
                }
            }
        }
        let catalog = try Catalog(path: layout.catalogPath)
        #expect(try catalog.eventIDIndexKeyBytes() == Int64(ids.count * 16))
        let writer = try StreamWriter(layout: layout, catalog: catalog, streamName: "orders")
        try writer.openShard(ShardInfo.defaultShardID, dedupe: .eventID)
        let lines = SampleFiles.lines(records: ids.count + 2, shards: 1)
        let known = zip(lines, ids).map { withID($0, $1) }
        #expect(try TestArchive.append(known, to: writer, shard: ShardInfo.defaultShardID).allSatisfy { $0 == .duplicate })
        let new = [withID(lines[ids.count], Self.hex.replacingOccurrences(of: "0", with: "f")), withID(lines[ids.count + 1], "event-2")]
        #expect(try TestArchive.append(new, to: writer, shard: ShardInfo.defaultShardID) == [.accepted, .accepted])
        #expect(try writer.commit() == 2)
        let tables = try catalog.database.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        #expect(!tables.contains("event_ids"), "the old table is gone")
    }

    // MARK: Memory bound

    /// Records over 200 hours in narrow blocks, under memory bounds from a few buckets to everything: ingested with
    /// copies of early records after their hours were evicted (not yet committed), then again shuffled with new
    /// records at the same times. Every copy is found, every new record kept, and the keys in memory never pass the bound.
    @Test(arguments: [4 << 10, 16 << 10, 64 << 20])
    func aMemoryBoundKeepsDedupeExact(bound: Int) throws {
        let archive = try TestArchive()
        let shard = ShardInfo.defaultShardID
        let lines = SampleFiles.lines(records: 2000, shards: 1, spanSeconds: 200 * 3600)
        let configuration = {
            var c = WriterConfiguration(blockBytes: 2 << 10)
            c.eventIDMemoryBytes = bound
            return c
        }()
        do {
            let writer = try archive.writer(configuration: configuration)
            try writer.openShard(shard, dedupe: .eventID)
            let results = try TestArchive.append(lines + lines.prefix(50), to: writer, shard: shard)
            #expect(results.prefix(lines.count).allSatisfy { $0 == .accepted })
            #expect(results.suffix(50).allSatisfy { $0 == .duplicate }, "copies of records accepted but not committed yet")
            try writer.commit()
            #expect(writer.eventIDMemory.peakResidentBytes <= bound)
            #expect(writer.eventIDMemory.bucketLoads >= 200)
            #expect((writer.eventIDMemory.bucketEvictions > 0) == (bound < 1 << 20))
        }
        let new = lines.enumerated().filter { $0.offset % 7 == 0 }.map { withID($0.element, "new-\($0.offset)") }
        var again = lines.map { ($0, StreamWriter.AppendResult.duplicate) } + new.map { ($0, StreamWriter.AppendResult.accepted) }
        var generator = SplitMix(state: 11)
        again.shuffle(using: &generator)
        let writer = try archive.writer(configuration: configuration)
        try writer.openShard(shard, dedupe: .eventID)
        let results = try TestArchive.append(again.map(\.0), to: writer, shard: shard)
        #expect(results == again.map(\.1))
        #expect(try writer.commit() == new.count)
        #expect(writer.eventIDMemory.peakResidentBytes <= bound)
        #expect(Set(try archive.records()) == Set(lines + new))
    }

    /// Buckets at the ends of Int64's range, and either side of zero and an hour's edge, neither trap nor merge
    /// a record with another hour's: a copy is found by the next writer, the same id an hour later is kept.
    @Test(arguments: [Int64.min, Int64.min + 3_600_000, -1, 0, 3_599_999, Int64.max - 3_600_000, Int64.max])
    func eventTimesAtAnyBucketEdgeFindTheirCopies(_ time: Int64) throws {
        let archive = try TestArchive()
        let shard = ShardInfo.defaultShardID
        let line = SampleFiles.lines(records: 1, shards: 1)[0]
        func append(_ writer: StreamWriter, at time: Int64) throws -> StreamWriter.AppendResult {
            try TestArchive.append([line], to: writer, shard: shard, eventTime: time)[0]
        }
        do {
            let writer = try archive.writer()
            try writer.openShard(shard, dedupe: .eventID)
            #expect(try append(writer, at: time) == .accepted)
            #expect(try append(writer, at: time) == .duplicate)
            try writer.commit()
        }
        let writer = try archive.writer()
        try writer.openShard(shard, dedupe: .eventID)
        #expect(try append(writer, at: time) == .duplicate)
        let (otherHour, overflow) = time.addingReportingOverflow(time > 0 ? -3_600_000 : 3_600_000)
        #expect(!overflow)
        #expect(try append(writer, at: otherHour) == .accepted, "a record with the same id in another hour is not a copy")
    }

    /// `line` with the event time of `other` (a copy of `other` carries its time).
    func withTime(of other: String, _ line: String) -> String {
        let key = "\"ApproximateCreationDateTime\":"
        func timeRange(_ text: String) -> Range<String.Index> {
            let start = text.range(of: key)!.upperBound
            return start..<text[start...].firstIndex(where: { !$0.isNumber && $0 != "." })!
        }
        return line.replacingCharacters(in: timeRange(line), with: other[timeRange(other)])
    }

    func withID(_ line: String, _ id: String) -> String {
        let start = line.range(of: "\"eventID\":\"")!.upperBound
        let end = line[start...].firstIndex(of: "\"")!
        return line.replacingCharacters(in: start..<end, with: id)
    }
}

/// A seeded generator: the shuffled order is the same at every run.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
