import ArchiveStore
import Foundation
import StreamVaultTesting
import Testing

struct AuditLogTests {
    /// A log of `count` entries in a fresh directory.
    static func log(entries count: Int) throws -> (TemporaryDirectory, AuditLog) {
        let directory = try TemporaryDirectory("audit-log")
        let log = AuditLog(path: directory.path + "/audit.ndjson")
        for i in 0..<count {
            try log.append(
                kind: .holdAdded,
                stream: "orders",
                details: ["reason": .string("case \(i)"), "from": "2026-01-01T00:00:00Z"],
                now: 1_000 + Int64(i)
            )
        }
        return (directory, log)
    }

    static func lines(_ log: AuditLog) throws -> [String] {
        try String(contentsOfFile: log.path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func write(_ lines: [String], to log: AuditLog, trailingNewline: Bool = true) throws {
        try (lines.joined(separator: "\n") + (trailingNewline ? "\n" : "")).write(toFile: log.path, atomically: false, encoding: .utf8)
    }

    @Test func entriesAreNumberedAndEachCarriesThePreviousHash() throws {
        let (directory, log) = try Self.log(entries: 3)
        _ = directory
        let contents = try AuditChain.read(log)
        #expect(contents.brokenLink == nil)
        #expect(contents.entries.map(\.sequence) == [1, 2, 3])
        #expect(contents.entries[0].previousHash == AuditEntry.genesisHash)
        #expect(contents.entries[1].previousHash == contents.entries[0].hash)
        #expect(contents.entries[2].previousHash == contents.entries[1].hash)
        #expect(contents.head?.sequence == 3)
        let first = try Self.lines(log)[0]
        #expect(first.hasPrefix("{\"seq\":1,\"time\":\"1970-01-01T00:00:01Z\",\"kind\":\"hold-added\",\"stream\":\"orders\","))
        #expect(first.contains("\"details\":{\"from\":\"2026-01-01T00:00:00Z\",\"reason\":\"case 0\"}"), "details keys in byte order")
    }

    @Test func theHashIsTheSHA256OfTheLineWithoutItsHashField() throws {
        let (directory, log) = try Self.log(entries: 1)
        _ = directory
        let line = try Self.lines(log)[0]
        let hashField = line.range(of: ",\"hash\":\"")!
        let canonical = String(line[..<hashField.lowerBound]) + "}"
        let shell = try CommandRunner.run("/bin/sh", ["-c", "printf '%s' \"$1\" | sha256sum", "sh", canonical])
        let expected = String(shell.stdoutText.prefix(64))
        #expect(try AuditChain.read(log).entries[0].hash == expected)
    }

    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case editedEntry, editedAndRehashedEntry, deletedEntry, reorderedEntries, truncatedLastLine, garbageLine
        var testDescription: String { rawValue }
    }

    @Test(arguments: Damage.allCases)
    func theFirstBrokenLinkIsNamed(_ damage: Damage) throws {
        let (directory, log) = try Self.log(entries: 5)
        _ = directory
        var lines = try Self.lines(log)
        var trailingNewline = true
        let expected: String
        switch damage {
        case .editedEntry:
            lines[2] = lines[2].replacingOccurrences(of: "case 2", with: "case 9")
            expected = "entry 3 (line 3) was changed after it was written"
        case .editedAndRehashedEntry:
            // A forger recomputes the edited entry's own hash: the next entry's prev no longer matches.
            let edited = lines[2].replacingOccurrences(of: "case 2", with: "case 9")
            let cut = edited.range(of: ",\"hash\":\"")!
            let body = String(edited[..<cut.lowerBound]) + "}"
            let shell = try CommandRunner.run("/bin/sh", ["-c", "printf '%s' \"$1\" | sha256sum", "sh", body])
            lines[2] = String(edited[..<cut.lowerBound]) + ",\"hash\":\"\(shell.stdoutText.prefix(64))\"}"
            expected = "entry 4 (line 4) does not follow entry 3"
        case .deletedEntry:
            lines.remove(at: 1)
            expected = "entry 2 is missing: line 2 holds entry 3"
        case .reorderedEntries:
            lines.swapAt(1, 2)
            expected = "out of order: line 2 holds entry 3 where entry 2 should be (entry 2 is at line 3)"
        case .truncatedLastLine:
            lines[4] = String(lines[4].prefix(40))
            trailingNewline = false
            expected = "line 5, where entry 5 should be, is cut off"
        case .garbageLine:
            lines[1] = "not json"
            expected = "line 2, where entry 2 should be, is not an audit entry"
        }
        try Self.write(lines, to: log, trailingNewline: trailingNewline)
        let broken = try #require(try AuditChain.read(log).brokenLink)
        #expect(broken.contains(expected), "\(broken)")
    }

    @Test func aTornLastLineIsCutOffByTheNextAppendWhichSaysSo() throws {
        let (directory, log) = try Self.log(entries: 2)
        _ = directory
        let handle = try #require(FileHandle(forWritingAtPath: log.path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"seq\":3,\"time\":\"19".utf8))
        handle.closeFile()
        #expect(try AuditChain.read(log).brokenLink != nil)
        try log.append(kind: .holdRemoved, stream: "orders", details: ["id": 1], now: 5_000)
        let contents = try AuditChain.read(log)
        #expect(contents.brokenLink == nil)
        #expect(contents.entries.map(\.kind) == [.holdAdded, .holdAdded, .logRepaired, .holdRemoved])
        #expect(contents.entries[2].int("cut_bytes") == 19)
    }

    @Test func aWholeLastEntryWithoutItsNewlineIsKeptNotCut() throws {
        let (directory, log) = try Self.log(entries: 2)
        _ = directory
        try Self.write(try Self.lines(log), to: log, trailingNewline: false)
        try log.append(kind: .holdRemoved, stream: "orders", details: ["id": 1], now: 5_000)
        let contents = try AuditChain.read(log)
        #expect(contents.brokenLink == nil)
        #expect(contents.entries.map(\.kind) == [.holdAdded, .holdAdded, .holdRemoved])
    }

    @Test func appendsFromManyThreadsKeepOneChain() async throws {
        let directory = try TemporaryDirectory("audit-log")
        let log = AuditLog(path: directory.path + "/audit.ndjson")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 0..<25 { try log.append(kind: .gapRecorded, stream: "s\(worker)", details: ["n": .int(Int64(i))], now: 1) }
                }
            }
            try await group.waitForAll()
        }
        let contents = try AuditChain.read(log)
        #expect(contents.brokenLink == nil)
        #expect(contents.entries.count == 100)
    }

    @Test func appendIfHeadIsRefusesWhenTheLogMovedOn() throws {
        let (directory, log) = try Self.log(entries: 2)
        _ = directory
        #expect(try log.append(kind: .gapRecorded, stream: "orders", details: [:], now: 1, ifHeadIs: 1) == nil)
        #expect(try log.append(kind: .gapRecorded, stream: "orders", details: [:], now: 1, ifHeadIs: 2)?.sequence == 3)
    }

    @Test func theIndependentPythonCheckerAgreesAndNamesAnEdit() throws {
        let archive = try TestArchive()
        let writer = try archive.writer(configuration: .init(blockBytes: 4 << 10, maxSegmentBytes: 16 << 10))
        try writer.openShard("s1", dedupe: .sequence)
        try TestArchive.append(SampleFiles.lines(records: 200, shards: 1), to: writer, shard: "s1")
        try writer.sealOpenSegment()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/audit-verify.py").path
        let ok = try CommandRunner.run("/usr/bin/env", ["python3", script, archive.layout.root])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdoutText.hasPrefix("OK: "))
        let log = AuditLog(layout: archive.layout)
        var lines = try Self.lines(log)
        lines[0] = lines[0].replacingOccurrences(of: "\"records\":", with: "\"records\":1")
        try Self.write(lines, to: log)
        let bad = try CommandRunner.run("/usr/bin/env", ["python3", script, archive.layout.root])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("entry 1: text hashes to"), "\(bad.stderr)")
    }
}
