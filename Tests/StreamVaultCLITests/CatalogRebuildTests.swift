import Foundation
import StreamVaultTesting
import Testing

/// A lost catalog: writers refuse to start a second history, and `catalog rebuild` restores the first.
@Suite(.timeLimit(.minutes(5)))
struct CatalogRebuildTests {
    /// Ingests three named shards and the default shard; returns the files ingested.
    static func populate(_ ws: CLIWorkspace) throws -> (shards: [(path: String, shard: String, lines: [String])], defaultInput: String) {
        let shards = try SampleFiles.perShard(in: ws.directory.path, records: 900, shards: 3)
        for file in shards {
            try ws.ok(["ingest", "--stream", "orders", "--shard", file.shard, "--block-kib", "16", file.path])
        }
        let defaultInput = try ws.write("default.ndjson", SampleFiles.lines(records: 400, shards: 2, seed: 99))
        try ws.ok(["ingest", "--stream", "orders", "--block-kib", "16", defaultInput])
        try ws.ok(["ingest", "--stream", "other", "--shard", shards[0].shard, shards[0].path])
        return (shards, defaultInput)
    }

    static func replays(shards: [String]) -> [[String]] {
        var out: [[String]] = [
            ["replay", "--stream", "orders"],
            ["replay", "--stream", "orders", "--order", "time"],
            ["replay", "--stream", "orders", "--from", "2026-01-01T06:00:00Z", "--to", "2026-01-01T07:30:00Z"],
            ["replay", "--stream", "orders", "--from", "2026-01-01T23:00:00Z"],
            ["replay", "--stream", "orders", "--shard", "default"],
            ["replay", "--stream", "other"],
        ]
        for shard in shards { out.append(["replay", "--stream", "orders", "--shard", shard]) }
        return out
    }

    static func removeCatalog(_ ws: CLIWorkspace) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: ws.storage) where name.hasPrefix("catalog.sqlite") {
            try FileManager.default.removeItem(atPath: ws.storage + "/" + name)
        }
    }

    @Test func writersRefuseSegmentsWithoutACatalog() throws {
        let ws = try CLIWorkspace()
        let input = try Self.populate(ws)
        try Self.removeCatalog(ws)
        let ingest = try ws.run(["ingest", "--stream", "orders", input.defaultInput])
        #expect(ingest.status != 0)
        #expect(ingest.stderr.contains("no catalog.sqlite"))
        #expect(ingest.stderr.contains("streamvault catalog rebuild"))
        #expect(!FileManager.default.fileExists(atPath: ws.storage + "/catalog.sqlite"), "no second, empty catalog beside the segments")
        #expect(try ws.run(["ls"]).stderr.contains("streamvault catalog rebuild"))
    }

    @Test func rebuiltCatalogAnswersEveryReplayByteForByte() throws {
        let ws = try CLIWorkspace()
        let input = try Self.populate(ws)
        let replays = Self.replays(shards: input.shards.map(\.shard))
        let before = try replays.map { try ws.ok($0).stdout }
        #expect(before.allSatisfy { !$0.isEmpty })
        let statsBefore = try ws.ok(["stats", "--json"]).stdout

        try Self.removeCatalog(ws)
        let rebuild = try ws.ok(["catalog", "rebuild"])
        #expect(rebuild.stderr.contains("2 streams"))
        #expect(rebuild.stderr.contains("rebuilding stream orders"), "progress on stderr")

        for (arguments, output) in zip(replays, before) {
            let result = try ws.ok(arguments)
            #expect(result.stdout == output, "\(arguments.joined(separator: " ")) answers as before the rebuild")
        }
        #expect(try ws.ok(["stats", "--json"]).stdout == statsBefore)
        #expect(try ws.ok(["verify"]).stdoutText.contains(": OK"))

        // Checkpoints and eventIDs came back: everything ingested again is a duplicate.
        for file in input.shards {
            let again = try ws.ok(["ingest", "--stream", "orders", "--shard", file.shard, file.path])
            #expect(again.stderr.contains("0 records archived, 300 duplicates skipped"))
        }
        let again = try ws.ok(["ingest", "--stream", "orders", input.defaultInput])
        #expect(again.stderr.contains("0 records archived, 400 duplicates skipped"))
    }

    @Test func rebuildKeepsAnExistingCatalogUnlessForced() throws {
        let ws = try CLIWorkspace()
        _ = try Self.populate(ws)
        let refused = try ws.run(["catalog", "rebuild"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--force"))
        let forced = try ws.ok(["catalog", "rebuild", "--force"])
        #expect(forced.stderr.contains("The previous catalog was moved to"))
        let names = try FileManager.default.contentsOfDirectory(atPath: ws.storage)
        #expect(names.contains { $0.hasPrefix("catalog.sqlite.replaced-") })
        #expect(try ws.ok(["verify"]).stdoutText.contains(": OK"))
    }
}
