import Foundation
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(5)))
struct CLIEndToEndTests {
    @Test func ingestReplayListStatsVerifyOnRealFiles() async throws {
        let ws = try CLIWorkspace()
        let files = try SampleFiles.perShard(in: ws.directory.path, records: 1200, shards: 3)
        for file in files {
            let result = try await ws.okAsync(["ingest", "--stream", "orders", "--shard", file.shard, "--block-kib", "64", file.path])
            #expect(result.stderr.contains("400 records archived, 0 duplicates skipped"))
        }
        let again = try await ws.okAsync(["ingest", "--stream", "orders", "--shard", files[0].shard, files[0].path])
        #expect(again.stderr.contains("0 records archived, 400 duplicates skipped"))

        let all = try await ws.okAsync(["replay", "--stream", "orders"]).lines
        #expect(all == files.flatMap(\.lines), "per shard, in sequence order, exactly what went in")

        let window = try await ws.okAsync(["replay", "--stream", "orders", "--from", "2026-01-01T06:00:00Z", "--to", "1767247260"]).lines
        #expect(!window.isEmpty && window.count < all.count)

        let ls = try await ws.okAsync(["ls"]).stdoutText
        for file in files { #expect(ls.contains("shard \(file.shard)  records 400")) }

        let stats = try JSONSerialization.jsonObject(with: try await ws.okAsync(["stats", "--json"]).stdout) as? [[String: Any]]
        let orders = try #require(stats?.first)
        #expect(orders["records"] as? Int == 1200)
        #expect(orders["from"] as? String == "2026-01-01T00:00:00Z")
        #expect((orders["ratio"] as? Double ?? 0) > 4)

        #expect(try await ws.okAsync(["verify"]).stdoutText.contains("1,200 records"))

        // Segments are plain zstd: the CLI verifies them and decompresses them to the same NDJSON.
        var decompressed: [String] = []
        for segment in try ws.segments() {
            #expect(try await CommandRunner.runAsync("zstd", ["-t", "-q", segment]).status == 0)
            decompressed += try await CommandRunner.runAsync("zstd", ["-dc", segment]).lines
        }
        #expect(Set(decompressed) == Set(all))
        #expect(decompressed.count == all.count)
    }

    @Test func stdinDefaultShardAndGlobalTimeOrder() async throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 300, shards: 3)
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)
        #expect(try await ws.okAsync(["ingest", "--stream", "orders", "-"], stdin: input).stderr.contains("300 records archived"))
        #expect(try await ws.okAsync(["ingest", "--stream", "orders", "-"], stdin: input).stderr.contains("300 duplicates skipped"))
        #expect(try await ws.okAsync(["replay", "--stream", "orders", "--order", "time"]).lines == lines)
    }

    @Test func badInputExitsNonZeroWithFileLineAndField() async throws {
        let ws = try CLIWorkspace()
        var lines = SampleFiles.lines(records: 5, shards: 1)
        lines[2] = lines[2].replacingOccurrences(of: #""ApproximateCreationDateTime":"#, with: #""ApproximateCreationDateTime":"x","Was":"#)
        let path = try ws.write("bad.ndjson", lines)
        let result = try await ws.runAsync(["ingest", "--stream", "orders", "--shard", "s", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(path):3: dynamodb.ApproximateCreationDateTime: expected epoch seconds as a number"))
        #expect(try await ws.okAsync(["replay", "--stream", "orders"]).lines == Array(lines[0..<2]))
        let skipped = try await ws.okAsync(["ingest", "--stream", "orders", "--shard", "s", "--skip-invalid", path])
        #expect(skipped.stderr.contains("2 records archived") && skipped.stderr.contains("1 rejected"))
    }

    /// A mistake a user makes, the exit status it must end with, and what stderr must say about it.
    struct UsageMistake: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let status: Int32
        let says: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    @Test(arguments: [
        // A failing command (CLIError) exits 1, a usage error (ArgumentParser's validation) 64.
        UsageMistake(arguments: ["replay", "--stream", "orders"], status: 1, says: "No archive at"),
        UsageMistake(arguments: ["replay", "--stream", "orders", "--from", "yesterday"], status: 64, says: "is not a time"),
        UsageMistake(arguments: ["replay", "--stream", "orders", "--from-seq", "1"], status: 64, says: "add --shard"),
    ])
    func helpfulErrorsForUsageMistakes(_ mistake: UsageMistake) async throws {
        let result = try await CLIWorkspace().runAsync(mistake.arguments)
        #expect(result.status == mistake.status, "\(result.stderr)")
        #expect(result.stderr.contains(mistake.says), "\(result.stderr)")
    }

    @Test func ingestHelpNamesSkipInvalid() async throws {
        #expect(try await CommandRunner.streamvaultAsync(["ingest", "--help"]).stdoutText.contains("--skip-invalid"))
    }
}

@Suite(.timeLimit(.minutes(3)))
struct CLIConvertTests {
    @Test func convertAndReplayFormatsAgree() async throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 50, shards: 1)
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)
        let kds = try await CommandRunner.streamvaultAsync(["convert", "--from", "native", "--to", "kds", "--table-name", "Orders"], stdin: input)
            .lines
        #expect(kds.count == 50)
        let back = try await CommandRunner.streamvaultAsync(
            ["convert", "--from", "kds", "--to", "plain"],
            stdin: Data((kds.joined(separator: "\n") + "\n").utf8)
        ).lines
        #expect(back.count == 50)
        try await ws.okAsync(["ingest", "--stream", "orders", "--shard", "s1", "-"], stdin: input)
        let replayed = try await ws.okAsync(["replay", "--stream", "orders", "--format", "kds", "--table-name", "Orders"]).lines
        #expect(replayed == kds, "replay --format and convert give the same bytes")
        let plain =
            try JSONSerialization.jsonObject(
                with: Data(try #require(try await ws.okAsync(["replay", "--stream", "orders", "--format", "plain"]).lines.first).utf8)
            ) as? [String: Any]
        let image = (plain?["dynamodb"] as? [String: Any])?["NewImage"] as? [String: Any]
        #expect(image?["status"] as? String == "PENDING")
    }

    /// `convert ... | head` and `replay ... | head`: a reader that goes away ends the output quietly, exit 0.
    @Test func aClosedPipeIsNotAnError() async throws {
        let sv = try CommandRunner.streamvaultPath
        let ws = try CLIWorkspace()
        try await ws.okAsync(
            ["ingest", "--stream", "orders", "-"],
            stdin: Data((SampleFiles.lines(records: 3000).joined(separator: "\n") + "\n").utf8)
        )
        for pipeline in [
            "'\(sv)' sample --records 30000 | '\(sv)' convert --from native --to plain | head -c 100",
            "'\(sv)' replay --stream orders --storage '\(ws.storage)' | head -c 100",
        ] {
            let result = try await CommandRunner.runAsync("bash", ["-c", "set -o pipefail; " + pipeline + " > /dev/null"])
            #expect(result.status == 0, "\(pipeline): \(result.stderr)")
        }
    }

    @Test func badRecordNamesLineAndPath() async throws {
        let ws = try CLIWorkspace()
        var lines = SampleFiles.lines(records: 3, shards: 1)
        lines[1] = lines[1].replacingOccurrences(of: #""total":{"N":""#, with: #""total":{"N":"x"#)
        let result = try await CommandRunner.streamvaultAsync(
            ["convert", "--from", "native", "--to", "plain"],
            stdin: Data((lines.joined(separator: "\n") + "\n").utf8)
        )
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 2") && result.stderr.contains("NewImage.total.N: expected a numeric string"))
    }
}
