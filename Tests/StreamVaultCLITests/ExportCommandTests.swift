import ArchiveStore
import Foundation
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ExportCommandTests {
    static func archive() throws -> CLIWorkspace {
        let workspace = try CLIWorkspace()
        let files = try SampleFiles.perShard(in: workspace.directory.path, records: 400, shards: 2)
        for file in files { try workspace.ok(["ingest", "--stream", "orders", "--shard", file.shard, file.path]) }
        return workspace
    }

    @Test func exportThenVerifyExportAndSha256sum() throws {
        let workspace = try Self.archive()
        let out = workspace.directory.file("export")
        let exported = try workspace.ok([
            "export", "--stream", "orders", "--from", "2026-01-01T01:00:00Z", "--to", "2026-01-01T20:00:00Z", "--out", out,
            "--event-name", "MODIFY", "REMOVE", "--max-file-records", "50",
        ])
        #expect(exported.stdoutText.contains("exported"), "\(exported.stdoutText)")
        let replayed = try workspace.ok([
            "replay", "--stream", "orders", "--from", "2026-01-01T01:00:00Z", "--to", "2026-01-01T20:00:00Z", "--event-name", "MODIFY", "REMOVE",
        ])
        var exportedLines: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: out + "/data").sorted() {
            exportedLines += try CLIWorkspace.zstd(["-dc", out + "/data/" + name]).lines
        }
        #expect(exportedLines == replayed.lines)
        let verified = try CommandRunner.streamvault(["verify-export", out])
        #expect(verified.status == 0, "\(verified.stdoutText)")
        #expect(verified.stdoutText.contains("OK"))
        let sums = try CommandRunner.run("sh", ["-c", "cd \"$1\" && sha256sum -c SHA256SUMS", "sh", out])
        #expect(sums.status == 0, "\(sums.stdoutText)")

        try FileManager.default.removeItem(atPath: out + "/data/part-00002.ndjson.zst")
        let damaged = try CommandRunner.streamvault(["verify-export", out])
        #expect(damaged.status == 1)
        #expect(damaged.stdoutText.contains("data/part-00002.ndjson.zst: listed in SHA256SUMS but missing"), "\(damaged.stdoutText)")
    }

    /// The manifest names the audit chain's head at export time, and the export itself becomes the next entry.
    @Test func anExportIsTiedToTheAuditChainAndEnteredInIt() throws {
        let workspace = try Self.archive()
        // Nothing sealed yet: a hold is the chain's first entry.
        try workspace.ok(["hold", "add", "--stream", "orders", "--from", "2026-01-01", "--to", "2026-01-02", "--reason", "case 4711"])
        let log = workspace.storage + "/audit.ndjson"
        let lastLine = { try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? "" }
        let headBefore = try #require(try lastLine().firstMatch(of: /"hash":"([0-9a-f]{64})"/)?.1)
        let out = workspace.directory.file("export")
        try workspace.ok(["export", "--stream", "orders", "--from", "2026-01-01", "--to", "2026-01-02", "--out", out])
        let manifest = try String(contentsOfFile: out + "/manifest.json", encoding: .utf8)
        #expect(
            manifest.contains(#""auditChainHead":"\#(headBefore)""#) || manifest.contains(#""auditChainHead" : "\#(headBefore)""#),
            "\(manifest.prefix(600))"
        )
        let entry = try lastLine()
        #expect(entry.contains("export-written") && entry.contains(out) && entry.contains(#""records":400"#), "\(entry)")
        #expect(try workspace.run(["verify"]).status == 0, "the chain stays intact")
    }

    /// `--key` and TTL selection work as in replay, and the manifest names them.
    @Test func keyAndTTLSelectionAsInReplay() throws {
        let workspace = try Self.archive()
        let key = ["--key", "pk=CUSTOMER#10001", "--exclude-ttl-deletes"]
        let out = workspace.directory.file("one-item")
        try workspace.ok(["export", "--stream", "orders", "--from", "2026-01-01", "--to", "2026-01-02", "--out", out, "--no-compress"] + key)
        let replayed = try workspace.ok(["replay", "--stream", "orders", "--from", "2026-01-01", "--to", "2026-01-02"] + key)
        #expect(!replayed.lines.isEmpty)
        var exported: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: out + "/data").sorted() {
            exported += try String(contentsOfFile: out + "/data/" + name, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        #expect(exported == replayed.lines)
        let manifest = try String(contentsOfFile: out + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("key pk=CUSTOMER#10001") && manifest.contains("without TTL deletes"), "\(manifest.prefix(800))")
    }

    @Test func aNonEmptyOutputIsRefused() throws {
        let workspace = try Self.archive()
        let out = workspace.directory.file("busy")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "x".write(toFile: out + "/x", atomically: true, encoding: .utf8)
        let result = try workspace.run(["export", "--stream", "orders", "--from", "2026-01-01", "--to", "2026-01-02", "--out", out])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is not empty"), "\(result.stderr)")
    }

    @Test func incrementalLayoutRefusesAFormat() throws {
        let workspace = try Self.archive()
        let result = try workspace.run([
            "export", "--stream", "orders", "--from", "2026-01-01", "--to", "2026-01-02", "--out", workspace.directory.file("inc"),
            "--layout", "dynamodb-incremental", "--format", "plain",
        ])
        #expect(result.status == 64)
        #expect(result.stderr.contains("leave out --format"), "\(result.stderr)")
    }

    @Test func aSnapshotThatCannotBeProvenIsRefusedWithStatus65UnlessAllowed() throws {
        let workspace = try Self.archive()
        do {
            let catalog = try Catalog(path: workspace.storage + "/catalog.sqlite")
            let stream = try catalog.requireStream("orders")
            _ = try catalog.ensureShard(
                streamID: stream.id,
                shardID: "shardId-late",
                parentShardID: "shardId-never-archived",
                dedupe: .sequence,
                now: 0
            )
        }
        let out = workspace.directory.file("snap")
        let refused = try workspace.run(["snapshot", "--stream", "orders", "--at", "2026-01-01T12:00:00Z", "--out", out])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("parent 'shardId-never-archived'"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let allowed = try workspace.ok(["snapshot", "--stream", "orders", "--at", "2026-01-01T12:00:00Z", "--out", out, "--allow-gaps"])
        #expect(allowed.stderr.contains("written with --allow-gaps although shard 'shardId-late'"), "\(allowed.stderr)")
        #expect(try CommandRunner.streamvault(["verify-export", out]).status == 0)
    }
}
