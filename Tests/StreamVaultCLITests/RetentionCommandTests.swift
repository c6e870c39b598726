import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

/// `retention`, `prune` and `hold` through the real binary, and prune killed with SIGKILL at each step.
struct RetentionCommandTests {
    static let start: Int64 = 1_767_225_600_000  // 2026-01-01
    static let day: Int64 = 86_400_000

    /// 400 days of records (two a day) in segments of a few days each, written in-process.
    static func workspace() async throws -> CLIWorkspace {
        let workspace = try CLIWorkspace()
        let layout = StorageLayout(root: workspace.storage)
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        let catalog = try Catalog(path: layout.catalogPath)
        let writer = try StreamWriter(
            layout: layout,
            catalog: catalog,
            streamName: "orders",
            configuration: .init(blockBytes: 2 << 10, maxSegmentBytes: 6 << 10)
        )
        try writer.openShard("s1", dedupe: .sequence)
        let lines = SampleFiles.lines(records: 800, shards: 1, startSeconds: start / 1000, spanSeconds: 400 * 86_400)
        for chunk in stride(from: 0, to: lines.count, by: 5) {
            for line in lines[chunk..<min(chunk + 5, lines.count)] {
                let bytes = Array(line.utf8)
                try bytes.withUnsafeBufferPointer { buffer in
                    var c = JSONCursor(UnsafeRawBufferPointer(buffer))
                    let facts = try ChangeRecordScanner.scanNative(&c)
                    _ = try writer.append(
                        buffer,
                        shard: "s1",
                        sequence: facts.sequenceNumber,
                        eventID: facts.eventID,
                        eventTime: facts.eventTimeMillis,
                        format: .native
                    )
                }
            }
            try writer.commit()
        }
        return workspace
    }

    static var now: String { ISO8601.format(millis: start + 400 * day) }

    @Test(.timeLimit(.minutes(3)))
    func holdsRetentionAndPruneFromTheCommandLine() async throws {
        let workspace = try await Self.workspace()
        let id = try await workspace.okAsync([
            "hold", "add", "--stream", "orders", "--from", "2026-01-10", "--to", "2026-01-12", "--reason", "case 4711",
        ])
        .stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(id) != nil)
        let listed = try await workspace.okAsync(["hold", "ls", "--json"]).lines
        #expect(listed.count == 1)
        #expect(listed.first?.contains("\"reason\":\"case 4711\"") == true)
        try await workspace.okAsync(["retention", "set", "--stream", "orders", "--days", "30"])
        #expect(try await workspace.okAsync(["retention", "show"]).stdoutText.contains("orders\t30 days"))
        let bad = try await workspace.runAsync(["retention", "set", "--stream", "orders", "--days", "0"])
        #expect(bad.status != 0 && bad.stderr.contains("1 to 3650"))

        let dry = try await workspace.okAsync(["prune", "--dry-run", "--now", Self.now]).stdoutText
        #expect(dry.contains("would delete"))
        #expect(dry.contains("held by hold \(id)"))
        let files = try FileManager.default.contentsOfDirectory(atPath: workspace.storage + "/orders/segments")
        // Kept ranges replay byte for byte the same after the prune: the last 30 days, and the held days.
        let keptRanges = [
            ["--from", ISO8601.format(millis: Self.start + 370 * Self.day), "--to", Self.now],
            ["--from", "2026-01-10", "--to", "2026-01-12"],
        ]
        var before: [Data] = []
        for range in keptRanges { before.append(try await workspace.okAsync(["replay", "--stream", "orders"] + range).stdout) }
        #expect(before.allSatisfy { !$0.isEmpty })
        let pruned = try await workspace.okAsync(["prune", "--now", Self.now]).stdoutText
        #expect(pruned.contains("deleted"))
        let after = try FileManager.default.contentsOfDirectory(atPath: workspace.storage + "/orders/segments")
        #expect(after.count < files.count)
        for (range, expected) in zip(keptRanges, before) {
            #expect(try await workspace.okAsync(["replay", "--stream", "orders"] + range).stdout == expected)
        }
        try await workspace.okAsync(["verify"])
        try await workspace.okAsync(["hold", "rm", id])
        #expect(try await workspace.okAsync(["hold", "ls"]).lines.isEmpty)
        let unknown = try await workspace.runAsync(["hold", "rm", "99999"])
        #expect(unknown.status != 0 && unknown.stderr.contains("No hold with id 99999"))
    }

    @Test(.timeLimit(.minutes(3)))
    func verifyExitsOneAndNamesTheEditedEntry() async throws {
        let workspace = try await Self.workspace()
        try await workspace.okAsync(["verify"])
        let path = workspace.storage + "/audit.ndjson"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: "\"records\":", with: "\"records\":1")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let verify = try await workspace.runAsync(["verify"])
        #expect(verify.status == 1)
        #expect(verify.stdoutText.contains("DAMAGED: \(path): entry 2 (line 2) was changed after it was written"), "\(verify.stdoutText)")
        let prune = try await workspace.runAsync(["prune", "--now", Self.now])
        #expect(prune.status != 0 && prune.stderr.contains("retention deletes nothing"), "\(prune.stderr)")
    }

    @Test(.timeLimit(.minutes(3)))
    func aStreamAnotherProcessWritesIsSkippedNotFailed() async throws {
        let workspace = try await Self.workspace()
        let layout = StorageLayout(root: workspace.storage)
        let writer = try StreamWriter(layout: layout, catalog: try Catalog(path: layout.catalogPath), streamName: "orders")
        let result = try await workspace.okAsync(["prune", "--now", Self.now])
        #expect(result.stderr.contains("orders: skipped: Archive stream 'orders' is locked by pid"), "\(result.stderr)")
        withExtendedLifetime(writer) {}
    }

    @Test(.timeLimit(.minutes(3)))
    func holdsAndRetentionSurviveACatalogRebuild() async throws {
        let workspace = try await Self.workspace()
        try await workspace.okAsync(["retention", "set", "--stream", "orders", "--days", "forever"])
        try await workspace.okAsync(["hold", "add", "--stream", "orders", "--from", "2026-01-10", "--to", "2026-01-12", "--reason", "case 1"])
        try await workspace.okAsync(["catalog", "rebuild", "--force"])
        #expect(try await workspace.okAsync(["retention", "show"]).stdoutText.contains("orders\tforever"))
        #expect(try await workspace.okAsync(["hold", "ls"]).stdoutText.contains("case 1"))
        let pruned = try await workspace.okAsync(["prune", "--now", Self.now]).stdoutText
        #expect(pruned.contains("kept forever"))
        try await workspace.okAsync(["verify"])
    }

    /// Every point of a deletion where a kill leaves something half done.
    @Test(
        .timeLimit(.minutes(5)),
        arguments: ["prune.after-mark", "prune.after-audit", "prune.after-rows", "prune.after-unlink", "audit.before-fsync"]
    )
    func aPruneKilledAtAnyStepLeavesNoDanglingRowNorOrphanFile(_ point: String) async throws {
        let workspace = try await Self.workspace()
        let killed = try await workspace.runAsync(["prune", "--now", Self.now], environment: ["STREAMVAULT_CRASH_AT": point])
        #expect(killed.status == SIGKILL, "the prune must have been killed at \(point): \(killed.stderr)")
        // The next prune (any writer of the stream) finishes what was started, then deletes the rest.
        try await workspace.okAsync(["prune", "--now", Self.now])
        let verify = try await workspace.okAsync(["verify"])
        #expect(verify.stdoutText.contains("OK"), "\(verify.stdoutText)")
        let layout = StorageLayout(root: workspace.storage)
        let catalog = try Catalog(path: layout.catalogPath, access: .readOnly)
        let stream = try catalog.requireStream("orders")
        let rows = Set(try catalog.segments(streamID: stream.id).map(\.fileName))
        #expect(Set(layout.segmentFileNames("orders")) == rows, "files and rows agree")
        #expect(try catalog.deletionsUnderWay(streamID: stream.id).isEmpty, "no deletion is left half done")
        let deletions = try AuditLog(layout: layout).entries().filter { $0.kind == .segmentDeleted }.map { $0.string("file") }
        #expect(Set(deletions).count == deletions.count, "one entry per deletion")
        #expect(Set(deletions).isDisjoint(with: rows), "every audited deletion is done")
        #expect(!deletions.isEmpty)
        #expect(try catalog.segments(streamID: stream.id).allSatisfy { $0.state == .open || ($0.maxTime ?? 0) >= Self.start + 35 * Self.day })
    }
}

/// A real kill -9 between a seal's audit entry and the catalog's record of it.
struct SealCrashTests {
    @Test(.timeLimit(.minutes(3)))
    func aSealKilledAfterItsAuditEntryIsFinishedByTheNextWriter() async throws {
        let workspace = try CLIWorkspace()
        let input = workspace.directory.file("orders.ndjson")
        try (SampleFiles.lines(records: 600, shards: 1).joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let small = ["--block-kib", "16", "--commit-kib", "16", "--max-segment-kib", "48"]
        let killed = try await workspace.runAsync(
            ["ingest", "--stream", "orders", "--shard", "s1"] + small + [input],
            environment: ["STREAMVAULT_CRASH_AT": "seal.after-audit"]
        )
        #expect(killed.status == SIGKILL, "the ingest must have been killed at its first seal: \(killed.stderr)")
        let layout = StorageLayout(root: workspace.storage)
        let sealEntries = { try AuditLog(layout: layout).entries().filter { $0.kind == .segmentSealed } }
        #expect(try sealEntries().count == 1)
        do {
            let catalog = try Catalog(path: layout.catalogPath, access: .readOnly)
            let segments = try catalog.segments(streamID: try catalog.requireStream("orders").id)
            #expect(segments.allSatisfy { $0.state == .open }, "the kill came before the catalog recorded the seal")
        }
        let noted = try await workspace.okAsync(["verify"]).stdoutText
        #expect(noted.contains("an interrupted seal"))
        // The next writer finishes the seal, then goes on (the records already archived are duplicates).
        try await workspace.okAsync(["ingest", "--stream", "orders", "--shard", "s1"] + small + [input])
        try await workspace.okAsync(["verify"])
        let catalog = try Catalog(path: layout.catalogPath, access: .readOnly)
        let sealed = try catalog.segments(streamID: try catalog.requireStream("orders").id).filter { $0.state == .sealed }
        #expect(sealed.count >= 2)
        let entries = try sealEntries()
        #expect(entries.map { $0.string("file") } == sealed.map(\.fileName), "one seal entry per sealed segment, in order")
        #expect(entries.map { $0.string("sha256") } == sealed.map { $0.sha256 ?? "" })
    }
}
