import ArchiveStore
import Foundation
import StreamVaultTesting
import Testing

/// kill -9 at random moments: whatever the catalog says it has is readable exactly once, and running the
/// same ingest again completes the archive.
@Suite(.timeLimit(.minutes(8)))
struct CrashSafetyTests {
    @Test(arguments: [true, false])
    func sigkillDuringIngestLosesNothingAcknowledged(withShard: Bool) async throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 20_000, shards: withShard ? 1 : 3, seed: withShard ? 11 : 12)
        let input = try ws.write("big.ndjson", lines)
        let ingest = ["ingest", "--stream", "orders", "--block-kib", "8", "--commit-kib", "32", input] + (withShard ? ["--shard", "shard-1"] : [])
        let arguments = ingest + ["--storage", ws.storage]
        // Time one full run elsewhere, then kill runs at random moments inside that span.
        let probe = try CLIWorkspace()
        let started = Date()
        try await probe.okAsync(ingest)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var sawProgress = false
        var fullRunBound = Date().timeIntervalSince(started)  // a full run takes at most this long; the kill lands within 5-90% of it
        for round in 0..<24 where kills < 6 {
            let delay = Double.random(in: 0.05...0.9, using: &generator) * fullRunBound
            let process = try CommandRunner.start(try CommandRunner.streamvaultPath, arguments)
            try await Task.sleep(for: .seconds(delay))
            process.kill(SIGKILL)
            let result = await process.finished()
            if result.status == 0 {
                // It finished before the kill: the probe ran while the machine was busier (other suites run beside
                // this one). This run took less than `delay`, so aim within that from now on, and start over.
                try FileManager.default.removeItem(atPath: ws.storage)
                fullRunBound = delay
                continue
            }
            kills += 1
            // Reopen the archive as a reader: what the catalog holds is readable, once, and a prefix/subset of the input.
            let archived = try archivedRecords(ws.storage)
            #expect(Set(archived).count == archived.count, "round \(round): a record is archived twice")
            if withShard {
                #expect(archived == Array(lines.prefix(archived.count)), "round \(round): a shard's archive is a prefix of its log")
            } else {
                #expect(Set(archived).isSubset(of: Set(lines)))
            }
            if !archived.isEmpty { sawProgress = true }
            if !withShard { try expectEventIDIndexMatches(archived, storage: ws.storage, round: round) }
            if FileManager.default.fileExists(atPath: ws.storage + "/catalog.sqlite") {
                let report = try ArchiveVerifier(layout: StorageLayout(root: ws.storage), catalog: Catalog(path: ws.storage + "/catalog.sqlite"))
                    .verify()
                #expect(report.isClean, "round \(round): \(report.findings)")
            }
        }
        #expect(kills >= 3, "runs must have been killed mid-way")
        #expect(sawProgress, "the kills must land after some commits")
        try await ws.okAsync(ingest)
        let final = try archivedRecords(ws.storage)
        #expect(final.count == lines.count, "nothing missing, nothing twice")
        #expect(Set(final) == Set(lines))
        if withShard { #expect(final == lines) }
        for segment in try ws.segments() {
            let check = try await CommandRunner.runAsync("zstd", ["-t", "-q", segment])
            #expect(check.status == 0, "zstd -t \(segment): \(check.stderr)")
        }
        #expect(try await ws.okAsync(["verify"]).stdoutText.contains("OK"))
    }

    /// Killed between the segment's fsync and the catalog transaction of a commit: the event-id index holds exactly
    /// the committed records (not the ones whose bytes reached the file), and the next run completes the archive.
    @Test func aDefaultShardIngestKilledBeforeItsCatalogCommitLeavesTheEventIDIndexExact() async throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 3000, shards: 3, seed: 13)
        let ingest = ["ingest", "--stream", "orders", "--block-kib", "8", "--commit-kib", "32"]
        try await ws.okAsync(ingest + [try ws.write("first.ndjson", Array(lines.prefix(1000)))])
        let all = try ws.write("all.ndjson", lines.shuffled())
        let killed = try await ws.runAsync(ingest + [all], environment: ["STREAMVAULT_CRASH_AT": "commit.after-fsync"])
        #expect(killed.status == SIGKILL, "the ingest must have been killed at its first commit: \(killed.stderr)")
        let archived = try archivedRecords(ws.storage)
        #expect(Set(archived) == Set(lines.prefix(1000)), "the killed run's commit never happened")
        try expectEventIDIndexMatches(archived, storage: ws.storage, round: 0)
        try await ws.okAsync(ingest + [all])
        let final = try archivedRecords(ws.storage)
        #expect(final.count == lines.count && Set(final) == Set(lines), "nothing missing, nothing twice")
        try expectEventIDIndexMatches(final, storage: ws.storage, round: 1)
        try await ws.okAsync(ingest + [all])
        #expect(try archivedRecords(ws.storage).count == lines.count, "a third run adds nothing")
        #expect(try await ws.okAsync(["verify"]).stdoutText.contains("OK"))
    }

    /// The default shard's index holds one 16-byte key per archived record.
    func expectEventIDIndexMatches(_ archived: [String], storage: String, round: Int) throws {
        let layout = StorageLayout(root: storage)
        guard FileManager.default.fileExists(atPath: layout.catalogPath) else { return }
        let keyBytes = try Catalog(path: layout.catalogPath, access: .readOnly).eventIDIndexKeyBytes()
        #expect(keyBytes == Int64(archived.count * 16), "round \(round): the event-id index has one key per archived record")
    }

    @Test func twoIngestsAtOnceNeverCorruptTheCatalog() async throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 1500, shards: 1, seed: 5)
        let input = try ws.write("in.ndjson", lines)
        let arguments = ["ingest", "--stream", "orders", "--shard", "s1", input, "--storage", ws.storage]
        let a = try CommandRunner.start(try CommandRunner.streamvaultPath, arguments)
        let b = try CommandRunner.start(try CommandRunner.streamvaultPath, arguments)
        let results = [await a.finished(), await b.finished()]
        for r in results where r.status != 0 {
            #expect(r.stderr.contains("is locked by pid"), "the loser says who holds the lock: \(r.stderr)")
        }
        #expect(results.contains { $0.status == 0 })
        try await ws.okAsync(["ingest", "--stream", "orders", "--shard", "s1", input])
        #expect(try archivedRecords(ws.storage) == lines)
        #expect(try await ws.okAsync(["verify"]).status == 0)
    }

    /// All records the catalog lists, read through the blocks, in commit order.
    func archivedRecords(_ storage: String) throws -> [String] {
        let layout = StorageLayout(root: storage)
        guard FileManager.default.fileExists(atPath: layout.catalogPath) else { return [] }
        let catalog = try Catalog(path: layout.catalogPath)
        guard let stream = try catalog.stream(named: "orders") else { return [] }
        let reader = try BlockReader(layout: layout, catalog: catalog)
        var out: [String] = []
        for block in try catalog.blocks(streamID: stream.id) {
            try reader.read(block)
            reader.forEachRecord { out.append(String(decoding: $0, as: UTF8.self)) }
        }
        let committed = try catalog.shards(streamID: stream.id).reduce(0) { $0 + $1.recordCount }
        #expect(Int64(out.count) == committed, "blocks and shard counts agree")
        return out
    }
}
