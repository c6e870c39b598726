import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

/// Retention over a simulated year and more: records with old event times, small segments, `prune(now:)`.
struct RetentionTests {
    static let day: Int64 = 86_400_000
    static let start: Int64 = 1_767_225_600_000  // 2026-01-01

    /// Two records a day for `days` days on one shard, in order.
    static func lines(days: Int) -> [String] {
        SampleFiles.lines(records: days * 2, shards: 1, startSeconds: start / 1000, spanSeconds: Int64(days) * 86_400)
    }

    static func eventTime(_ line: String) throws -> Int64 {
        let bytes = Array(line.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            var c = JSONCursor(UnsafeRawBufferPointer(buffer))
            return try ChangeRecordScanner.scanNative(&c).eventTimeMillis
        }
    }

    /// Writes `lines` committing every 5 records into ~6 KiB segments (a few days each).
    static func write(_ lines: ArraySlice<String>, to archive: TestArchive, dedupe: DedupeRule = .sequence) throws {
        let writer = try archive.writer(configuration: .init(blockBytes: 2 << 10, maxSegmentBytes: 6 << 10))
        let shard = dedupe == .sequence ? "s1" : ShardInfo.defaultShardID
        try writer.openShard(shard, dedupe: dedupe)
        for chunk in stride(from: lines.startIndex, to: lines.endIndex, by: 5) {
            try TestArchive.append(Array(lines[chunk..<min(chunk + 5, lines.endIndex)]), to: writer, shard: shard)
            try writer.commit()
        }
    }

    static func prune(_ archive: TestArchive, now: Int64, dryRun: Bool = false) throws -> PruneReport {
        try archive.writer(configuration: .init(blockBytes: 2 << 10, maxSegmentBytes: 6 << 10)).prune(now: now, dryRun: dryRun)
    }

    @Test(arguments: [30, 365])
    func pruneDeletesExactlyTheSegmentsWhoseEveryRecordIsOlderThanTheCutoff(days: Int) throws {
        let archive = try TestArchive()
        let lines = Self.lines(days: 400)
        try Self.write(lines[...], to: archive)
        try Retention(layout: archive.layout, catalog: archive.catalog).setRetention(stream: "orders", days: days, now: Self.start)
        let stream = try archive.catalog.requireStream("orders")
        let before = try archive.catalog.segments(streamID: stream.id)
        let now = Self.start + 400 * Self.day
        let cutoff = now - Int64(days) * Self.day

        let report = try Self.prune(archive, now: now)

        #expect(report.cutoff == cutoff)
        let after = try archive.catalog.segments(streamID: stream.id)
        let deleted = Set(before.map(\.fileName)).subtracting(after.map(\.fileName))
        #expect(Set(report.deleted.map(\.fileName)) == deleted)
        #expect(!deleted.isEmpty)
        for segment in before {
            let expired = segment.state == .sealed && (segment.maxTime ?? .max) < cutoff
            #expect(deleted.contains(segment.fileName) == expired, "\(segment.fileName): max \(segment.maxTime ?? -1), cutoff \(cutoff)")
            #expect(fileExists(archive.layout.segmentPath(stream: "orders", fileName: segment.fileName)) == !expired)
        }
        // Every record at or after the cutoff is still there, in order and byte for byte.
        let remaining = try archive.records()
        let young = try lines.filter { try Self.eventTime($0) >= cutoff }
        #expect(Array(remaining.suffix(young.count)) == young)
        #expect(try remaining.allSatisfy { line in lines.contains(line) })
        // What is left older than the cutoff shares a segment with a younger record.
        #expect(try remaining.filter { try Self.eventTime($0) < cutoff }.count < 20)
        let verify = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        #expect(verify.isClean, "\(verify.findings)")
        // One audit entry per deletion, with the cutoff.
        let entries = try AuditLog(layout: archive.layout).entries().filter { $0.kind == .segmentDeleted }
        #expect(Set(entries.map { $0.string("file") }) == deleted)
        #expect(entries.allSatisfy { $0.string("cutoff") == ISO8601.format(millis: cutoff) && $0.int("retention_days") == Int64(days) })
    }

    @Test func anIdleStreamsLastSegmentGoesOnceItExpires() throws {
        let archive = try TestArchive()
        try Self.write(Self.lines(days: 400)[...], to: archive)
        let report = try Self.prune(archive, now: Self.start + 800 * Self.day)
        let stream = try archive.catalog.requireStream("orders")
        #expect(!report.deleted.isEmpty)
        #expect(try archive.catalog.segments(streamID: stream.id).isEmpty, "every record is past its retention")
        #expect(archive.layout.segmentFileNames("orders").isEmpty)
        #expect(try archive.catalog.retainedFrom(stream: "orders", shard: "s1") != nil)
        let verify = try ArchiveVerifier(layout: archive.layout, catalog: archive.catalog).verify()
        #expect(verify.isClean, "\(verify.findings)")
    }

    @Test func aDryRunDeletesNothing() throws {
        let archive = try TestArchive()
        try Self.write(Self.lines(days: 400)[...], to: archive)
        let before = try archive.records()
        let report = try Self.prune(archive, now: Self.start + 400 * Self.day, dryRun: true)
        #expect(!report.deleted.isEmpty)
        #expect(try archive.records() == before)
        #expect(try AuditLog(layout: archive.layout).entries().allSatisfy { $0.kind != .segmentDeleted })
    }

    @Test func foreverKeepsEverything() throws {
        let archive = try TestArchive()
        try Self.write(Self.lines(days: 400)[...], to: archive)
        try Retention(layout: archive.layout, catalog: archive.catalog).setRetention(stream: "orders", days: 0, now: Self.start)
        let before = try archive.records()
        let report = try Self.prune(archive, now: Self.start + 4000 * Self.day)
        #expect(report.cutoff == nil && report.deleted.isEmpty)
        #expect(try archive.records() == before)
    }

    /// Holds by day offsets (inclusive).
    @Test(arguments: [[(10, 12)], [(0, 3), (30, 60)], [(20, 20)]])
    func holdsKeepEverySegmentTheyOverlap(_ ranges: [(Int, Int)]) throws {
        let archive = try TestArchive()
        let lines = Self.lines(days: 400)
        try Self.write(lines[...], to: archive)
        let retention = Retention(layout: archive.layout, catalog: archive.catalog)
        var holds: [HoldInfo] = []
        for (from, to) in ranges {
            holds.append(
                try retention.addHold(
                    stream: "orders",
                    from: Self.start + Int64(from) * Self.day,
                    to: Self.start + Int64(to) * Self.day,
                    reason: "case \(from)",
                    now: Self.start
                )
            )
        }
        let stream = try archive.catalog.requireStream("orders")
        let before = try archive.catalog.segments(streamID: stream.id)
        let now = Self.start + 400 * Self.day
        let report = try Self.prune(archive, now: now)
        let cutoff = try #require(report.cutoff)
        let kept = Set(try archive.catalog.segments(streamID: stream.id).map(\.fileName))
        for segment in before where segment.state == .sealed && (segment.maxTime ?? .max) < cutoff {
            let held = holds.contains { $0.overlaps(minTime: segment.minTime ?? 0, maxTime: segment.maxTime ?? 0) }
            #expect(kept.contains(segment.fileName) == held, "\(segment.fileName)")
        }
        #expect(!report.held.isEmpty)
        // Every record a hold covers is still archived.
        let remaining = Set(try archive.records())
        let heldLines = try lines.filter { line in
            let time = try Self.eventTime(line)
            return holds.contains { time >= $0.from && time <= $0.to }
        }
        #expect(!heldLines.isEmpty)
        #expect(heldLines.filter { !remaining.contains($0) }.count == 0, "records a hold covers were deleted")
        // Removing the holds lets the next prune delete what they kept.
        for hold in holds { _ = try retention.removeHold(id: hold.id, now: now) }
        let second = try Self.prune(archive, now: now)
        #expect(Set(second.deleted.map(\.fileName)) == Set(report.held.map(\.segment.fileName)))
        #expect(try archive.catalog.holds().isEmpty)
    }

    @Test func diskUseStaysFlatOnceAStreamIsPastItsRetention() throws {
        let archive = try TestArchive()
        let lines = Self.lines(days: 900)
        var sizes: [Int64] = []
        for (index, end) in [400, 500, 600, 700, 800, 900].enumerated() {
            let begin = index == 0 ? 0 : [400, 500, 600, 700, 800][index - 1]
            try Self.write(lines[(begin * 2)..<(end * 2)], to: archive)
            _ = try Self.prune(archive, now: Self.start + Int64(end) * Self.day)
            sizes.append(Self.directoryBytes(archive.layout.segmentsDirectory("orders")))
        }
        let low = try #require(sizes.min())
        let high = try #require(sizes.max())
        #expect(Double(high) < Double(low) * 1.15, "segment bytes per prune: \(sizes)")
    }

    @Test func eventIDDedupeRowsGoWithTheirSegment() throws {
        let archive = try TestArchive()
        let lines = Self.lines(days: 400)
        try Self.write(lines[...], to: archive, dedupe: .eventID)
        let report = try Self.prune(archive, now: Self.start + 400 * Self.day)
        #expect(!report.deleted.isEmpty)
        // A deleted record sent again is archived again (its dedupe row went with it); a kept one is a duplicate.
        let remaining = Set(try archive.records())
        let gone = try #require(lines.first { !remaining.contains($0) })
        let kept = try #require(lines.last)
        let writer = try archive.writer()
        try writer.openShard(ShardInfo.defaultShardID, dedupe: .eventID)
        try TestArchive.append([gone, kept], to: writer, shard: ShardInfo.defaultShardID)
        #expect(try writer.commit() == 1)
        #expect(writer.statistics.duplicates == 1)
    }

    @Test func anExpiredSegmentWhoseFileIsAlreadyGoneIsStillDeleted() throws {
        let archive = try TestArchive()
        try Self.write(Self.lines(days: 400)[...], to: archive, dedupe: .eventID)
        let stream = try archive.catalog.requireStream("orders")
        let first = try #require(try archive.catalog.segments(streamID: stream.id).first)
        try FileManager.default.removeItem(atPath: archive.layout.segmentPath(stream: "orders", fileName: first.fileName))
        let report = try Self.prune(archive, now: Self.start + 400 * Self.day)
        #expect(report.deleted.map(\.fileName).contains(first.fileName))
        #expect(try archive.catalog.segment(id: first.id) == nil)
        _ = try archive.writer()  // opens: nothing left half done
    }

    @Test func theTrimmedBoundaryOfEachShardIsKnown() throws {
        let archive = try TestArchive()
        try Self.write(Self.lines(days: 400)[...], to: archive)
        #expect(try archive.catalog.retainedFrom(stream: "orders", shard: "s1") == nil)
        let report = try Self.prune(archive, now: Self.start + 400 * Self.day)
        let boundary = try #require(try archive.catalog.retainedFrom(stream: "orders", shard: "s1"))
        let stream = try archive.catalog.requireStream("orders")
        let blocks = try archive.catalog.blocks(streamID: stream.id)
        #expect(boundary.firstRetained == blocks.map(\.firstSeq).min { $0.padded < $1.padded })
        #expect(boundary.trimmedThrough.padded < (boundary.firstRetained?.padded ?? ""))
        #expect(!report.deleted.isEmpty)
    }

    @Test func pruneRefusesWhileTheAuditLogIsDamaged() throws {
        let archive = try TestArchive()
        try Self.write(Self.lines(days: 400)[...], to: archive)
        let log = AuditLog(layout: archive.layout)
        var text = try String(contentsOfFile: log.path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"seq\":1,", with: "\"seq\":7,")
        try text.write(toFile: log.path, atomically: false, encoding: .utf8)
        let before = try archive.records()
        #expect(throws: ArchiveError.self) { try Self.prune(archive, now: Self.start + 400 * Self.day) }
        #expect(try archive.records() == before)
    }

    static func directoryBytes(_ path: String) -> Int64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.reduce(0) { total, name in
            var st = stat()
            return total + (stat(path + "/" + name, &st) == 0 ? Int64(st.st_size) : 0)
        }
    }
}

private func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
