import ArchiveStore
import Foundation
import GRDB
import StreamVaultTesting
import Testing

/// `verify` recomputes the audit chain and checks each sealed segment against the catalog and its seal entry.
struct AuditVerifyTests {
    /// An archive of several sealed segments and one open one.
    static func archive() throws -> TestArchive {
        let archive = try TestArchive()
        let writer = try archive.writer(configuration: .init(blockBytes: 4 << 10, maxSegmentBytes: 16 << 10))
        try writer.openShard("s1", dedupe: .sequence)
        for chunk in SampleFiles.lines(records: 300, shards: 1).chunked(50) {
            try TestArchive.append(chunk, to: writer, shard: "s1")
            try writer.commit()
        }
        return archive
    }

    @Test func everySealIsAuditedAndAnIntactArchiveVerifiesClean() throws {
        let archive = try Self.archive()
        let stream = try archive.catalog.requireStream("orders")
        let sealed = try archive.catalog.segments(streamID: stream.id).filter { $0.state == .sealed }
        #expect(sealed.count >= 2)
        let entries = try AuditLog(layout: archive.layout).entries().filter { $0.kind == .segmentSealed }
        #expect(entries.map { $0.string("file") } == sealed.map(\.fileName))
        #expect(entries.map { $0.string("sha256") } == sealed.map { $0.sha256 ?? "" })
        #expect(entries.map { $0.int("records") } == sealed.map(\.recordCount))
        let report = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        #expect(report.isClean, "\(report.findings)")
    }

    /// What a kill between the seal's audit entry and its catalog update leaves (the entry, an open segment).
    @Test func aSealAuditedButNotInTheCatalogIsFinishedWhenTheStreamIsNextOpened() throws {
        let archive = try Self.archive()
        let stream = try archive.catalog.requireStream("orders")
        let open = try #require(try archive.catalog.openSegment(streamID: stream.id))
        let path = archive.layout.segmentPath(stream: "orders", fileName: open.fileName)
        let digest = String(try CommandRunner.run("/usr/bin/sha256sum", [path]).stdoutText.prefix(64))
        try AuditLog(layout: archive.layout).append(
            kind: .segmentSealed,
            stream: "orders",
            details: ["file": .string(open.fileName), "sha256": .string(digest), "bytes": .int(open.committedBytes)],
            now: 1
        )
        let before = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        #expect(before.isClean, "an interrupted seal is a note, not damage: \(before.findings)")
        #expect(before.findings.contains { $0.message.contains("an interrupted seal") })
        _ = try archive.writer()
        let sealed = try #require(try archive.catalog.segment(id: open.id))
        #expect(sealed.state == .sealed && sealed.sha256 == digest)
        let after = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        #expect(after.isClean && after.findings.isEmpty, "\(after.findings)")
    }

    /// An archive from before the audit log: the upgrade to v4 enters its sealed segments (marked backfilled).
    @Test func upgradingACatalogEntersTheSealsItAlreadyHas() throws {
        let archive = try Self.archive()
        let stream = try archive.catalog.requireStream("orders")
        let sealed = try archive.catalog.segments(streamID: stream.id).filter { $0.state == .sealed }
        try FileManager.default.removeItem(atPath: AuditLog(layout: archive.layout).path)
        let db = try DatabaseQueue(path: archive.layout.catalogPath)
        try db.write { db in
            try db.execute(sql: "DROP TABLE holds; DROP TABLE segment_deletions; ALTER TABLE shards DROP COLUMN trimmed_through")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4: retention, holds and audit log'")
        }
        try db.close()
        let missing = try ArchiveVerifier(layout: archive.layout, catalog: try Catalog(path: archive.layout.catalogPath)).verify()
        #expect(missing.isClean, "opening as a writer migrated and entered the seals: \(missing.findings)")
        let entries = try AuditLog(layout: archive.layout).entries()
        #expect(entries.filter { $0.kind == .segmentSealed }.map { $0.string("file") } == sealed.map(\.fileName))
        #expect(entries.filter { $0.kind == .segmentSealed }.allSatisfy { $0.details["backfilled"] == .bool(true) })
        #expect(entries.last?.kind == .catalogMigrated)
    }

    @Test func gapsRepairsAndRebuildsAreAudited() throws {
        let archive = try Self.archive()
        let stream = try archive.catalog.requireStream("orders")
        let shard = try #require(try archive.catalog.shards(streamID: stream.id).first)
        do {
            let writer = try archive.writer()
            try writer.recordGap(shardRowID: shard.rowID, afterSequence: shard.checkpoint, reason: "trimmed before it was read", now: 5)
        }
        let open = try #require(try archive.catalog.openSegment(streamID: stream.id))
        let path = archive.layout.segmentPath(stream: "orders", fileName: open.fileName)
        #expect(truncate(path, off_t(open.committedBytes - 10)) == 0)
        let outcome = try StreamRepair.repair(layout: archive.layout, catalog: archive.catalog, streamName: "orders", now: 6)
        #expect(outcome.cut != nil)
        let summary = try CatalogRebuilder(layout: archive.layout).rebuild(force: true, now: 7)
        #expect(summary.problems.isEmpty, "\(summary.problems)")

        let entries = try AuditLog(layout: archive.layout).entries()
        let gap = try #require(entries.first { $0.kind == .gapRecorded })
        #expect(gap.string("shard") == "s1" && gap.string("reason") == "trimmed before it was read")
        let repaired = try #require(entries.first { $0.kind == .catalogRepaired })
        #expect(repaired.string("file") == open.fileName && (repaired.int("lost_records") ?? 0) > 0)
        let rebuilt = try #require(entries.last)
        let files = Int64(archive.layout.segmentFileNames("orders").count)
        #expect(rebuilt.kind == .catalogRebuilt && rebuilt.int("segments") == files)
        #expect(try AuditChain.read(AuditLog(layout: archive.layout)).brokenLink == nil)
    }

    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case editedAuditEntry, sealedSegmentBytesChanged, sealedSegmentFileRemoved, catalogDigestChanged, segmentRemovedWithItsRows
        var testDescription: String { rawValue }
    }

    @Test(arguments: Damage.allCases)
    func verifyNamesTheDamage(_ damage: Damage) throws {
        let archive = try Self.archive()
        let stream = try archive.catalog.requireStream("orders")
        let victim = try #require(try archive.catalog.segments(streamID: stream.id).first { $0.state == .sealed })
        let path = archive.layout.segmentPath(stream: "orders", fileName: victim.fileName)
        let expected: [String]
        switch damage {
        case .editedAuditEntry:
            let log = AuditLog(layout: archive.layout)
            let text = try String(contentsOfFile: log.path, encoding: .utf8)
            try text.replacingOccurrences(of: "\"blocks\":", with: "\"blocks\":9").write(toFile: log.path, atomically: false, encoding: .utf8)
            expected = ["audit.ndjson: entry 1 (line 1) was changed after it was written"]
        case .sealedSegmentBytesChanged:
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            handle.seek(toFileOffset: UInt64(victim.committedBytes - 3))
            handle.write(Data([0x00]))
            handle.closeFile()
            expected = ["\(victim.fileName): SHA-256 is", "audit entry 1 sealed it as \(victim.sha256 ?? "")"]
        case .sealedSegmentFileRemoved:
            try FileManager.default.removeItem(atPath: path)
            expected = ["\(victim.fileName): file is missing"]
        case .catalogDigestChanged:
            let db = try DatabaseQueue(path: archive.layout.catalogPath)
            try db.write {
                try $0.execute(sql: "UPDATE segments SET sha256 = ? WHERE id = ?", arguments: [String(repeating: "a", count: 64), victim.id])
            }
            expected = ["the catalog's SHA-256 \(String(repeating: "a", count: 64)) differs from audit entry 1's \(victim.sha256 ?? "")"]
        case .segmentRemovedWithItsRows:
            let db = try DatabaseQueue(path: archive.layout.catalogPath)
            try db.write { db in
                try db.execute(sql: "UPDATE shards SET record_count = record_count - ?", arguments: [victim.recordCount])
                try db.execute(sql: "DELETE FROM blocks WHERE segment_id = ?", arguments: [victim.id])
                try db.execute(sql: "DELETE FROM segments WHERE id = ?", arguments: [victim.id])
            }
            try FileManager.default.removeItem(atPath: path)
            expected = ["\(victim.fileName): audit entry 1 sealed this segment; it is not in the catalog and no retention deletion is recorded"]
        }
        let report = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        #expect(!report.isClean)
        let text = report.findings.filter(\.isDamage).map(\.description).joined(separator: "\n")
        for piece in expected { #expect(text.contains(piece), "\(text)") }
    }
}

extension Array {
    fileprivate func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
