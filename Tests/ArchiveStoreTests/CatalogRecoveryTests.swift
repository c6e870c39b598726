import ArchiveStore
import Foundation
import GRDB
import StreamModel
import StreamVaultTesting
import Testing

/// Read-only catalogs and rebuilding the catalog from segment files, at the library level.
struct CatalogRecoveryTests {
    @Test func readerRefusesACatalogThatNeedsAMigrationAndChangesNothing() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("catalog.sqlite")
        // A catalog from "before v1": GRDB's migration table, no migration applied.
        let old = try DatabaseQueue(path: path)
        try old.write { db in try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)") }
        try old.close()
        let error = #expect(throws: ArchiveError.self) { try Catalog(path: path, access: .readOnly) }
        #expect(error?.code == .catalogOutdated)
        #expect(error?.message.contains("only a writer may do") == true)
        let check = try DatabaseQueue(path: path)
        #expect(try check.read { db in try db.tableExists("streams") } == false)
        try check.close()
        #expect(try Catalog(path: path).streams().isEmpty, "a writer migrates it")
        #expect(try Catalog(path: path, access: .readOnly).streams().isEmpty)
    }

    @Test func rebuildRestoresEverySegmentBlockAndShardAcrossSealedSegments() throws {
        let archive = try TestArchive()
        let ticks = Ticks()
        let clock = WallClock { ticks.next() }
        do {  // the writer's lock is released before the rebuild takes it
            let writer = try archive.writer(configuration: .init(blockBytes: 4 << 10, commitBytes: 8 << 10, maxSegmentBytes: 12 << 10), clock: clock)
            let files = SampleFiles.lines(records: 600, shards: 1)
            try writer.openShard("s1", dedupe: .sequence)
            try writer.openShard(ShardInfo.defaultShardID, dedupe: .eventID)
            try TestArchive.append(Array(files[..<300]), to: writer, shard: "s1")
            try TestArchive.append(Array(files[300...]), to: writer, shard: ShardInfo.defaultShardID)
            try writer.commit()
        }
        let stream = try archive.catalog.requireStream("orders")
        let segments = try archive.catalog.segments(streamID: stream.id)
        #expect(segments.count > 2, "small segments roll")
        let blocks = try archive.catalog.blocks(streamID: stream.id)
        let shards = try archive.catalog.shards(streamID: stream.id)
        let records = try archive.records()

        let summary = try CatalogRebuilder(layout: archive.layout).rebuild(force: true, now: ticks.next())
        #expect(summary.problems.isEmpty)
        #expect(summary.records == 600)
        #expect(summary.eventIDs == 300)
        let rebuilt = try Catalog(path: archive.layout.catalogPath, access: .readOnly)
        let info = try rebuilt.requireStream("orders")
        #expect(info.maxBlockSpanMillis == stream.maxBlockSpanMillis)
        #expect(try rebuilt.blocks(streamID: info.id) == blocks)
        let newSegments = try rebuilt.segments(streamID: info.id)
        #expect(newSegments.map(\.fileName) == segments.map(\.fileName))
        #expect(newSegments.map(\.committedBytes) == segments.map(\.committedBytes))
        #expect(newSegments.map(\.recordCount) == segments.map(\.recordCount))
        #expect(newSegments.dropLast().allSatisfy { $0.state == .sealed } && newSegments.last?.state == .open)
        let sealed = zip(segments, newSegments).filter { $0.0.state == .sealed }
        #expect(sealed.allSatisfy { $0.0.sha256 == $0.1.sha256 })
        for (old, new) in zip(shards, try rebuilt.shards(streamID: info.id)) {
            #expect(old.shardID == new.shardID && old.dedupe == new.dedupe && old.recordCount == new.recordCount)
            #expect(old.checkpoint?.padded == new.checkpoint?.padded)
        }
        let report = try ArchiveVerifier(layout: archive.layout, catalog: rebuilt).verify()
        #expect(report.isClean, "\(report.findings)")
        #expect(report.records == records.count)
    }
}

/// A clock that moves 1 ms each time it is read, so segment creation times differ.
final class Ticks: @unchecked Sendable {
    // @unchecked: one test drives it from one task.
    private var millis: Int64 = 1_767_225_600_000
    func next() -> Int64 {
        millis += 1
        return millis
    }
}

/// Only names the writer makes are ever opened as segment files.
struct SegmentFileNameTests {
    @Test(arguments: [
        ("20261123T184000Z-1a2b3c4d.ndjson.zst", true),
        ("20261123T184000Z-0000000a.ndjson.zst", true),
        ("../../../x", false),
        ("a.ndjson.zst", false),
        ("20261123T184000Z-1A2B3C4D.ndjson.zst", false),
        ("20261123T184000Z-1a2b3c4/.ndjson.zst", false),
        ("/etc/20261123T18400Z-1a2b3c4d.ndjson.zst", false),
        ("20261123T184000Z-1a2b3c4d.ndjson.zst.tmp", false),
        ("", false),
    ])
    func onlyTheWritersPattern(name: String, accepted: Bool) {
        #expect(CatalogLimits.isSegmentFileName(name) == accepted)
    }
}
