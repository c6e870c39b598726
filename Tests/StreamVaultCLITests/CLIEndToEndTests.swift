import Foundation
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(5)))
struct CLIEndToEndTests {
    @Test func ingestReplayListStatsVerifyOnRealFiles() throws {
        let ws = try CLIWorkspace()
        let files = try SampleFiles.perShard(in: ws.directory.path, records: 1200, shards: 3)
        for file in files {
            let result = try ws.ok(["ingest", "--stream", "orders", "--shard", file.shard, "--block-kib", "64", file.path])
            #expect(result.stderr.contains("400 records archived, 0 duplicates skipped"))
        }
        let again = try ws.ok(["ingest", "--stream", "orders", "--shard", files[0].shard, files[0].path])
        #expect(again.stderr.contains("0 records archived, 400 duplicates skipped"))

        let all = try ws.ok(["replay", "--stream", "orders"]).lines
        #expect(all == files.flatMap(\.lines), "per shard, in sequence order, exactly what went in")

        let window = try ws.ok(["replay", "--stream", "orders", "--from", "2026-01-01T06:00:00Z", "--to", "1767247260"]).lines
        #expect(!window.isEmpty && window.count < all.count)

        let ls = try ws.ok(["ls"]).stdoutText
        for file in files { #expect(ls.contains("shard \(file.shard)  records 400")) }

        let stats = try JSONSerialization.jsonObject(with: try ws.ok(["stats", "--json"]).stdout) as? [[String: Any]]
        let orders = try #require(stats?.first)
        #expect(orders["records"] as? Int == 1200)
        #expect(orders["from"] as? String == "2026-01-01T00:00:00Z")
        #expect((orders["ratio"] as? Double ?? 0) > 4)

        #expect(try ws.ok(["verify"]).stdoutText.contains("1,200 records"))

        // Segments are plain zstd: the CLI verifies them and decompresses them to the same NDJSON.
        var decompressed: [String] = []
        for segment in try ws.segments() {
            #expect(try CLIWorkspace.zstd(["-t", "-q", segment]).status == 0)
            decompressed += try CLIWorkspace.zstd(["-dc", segment]).lines
        }
        #expect(Set(decompressed) == Set(all))
        #expect(decompressed.count == all.count)
    }

    @Test func stdinDefaultShardAndGlobalTimeOrder() throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 300, shards: 3)
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)
        #expect(try ws.ok(["ingest", "--stream", "orders", "-"], stdin: input).stderr.contains("300 records archived"))
        #expect(try ws.ok(["ingest", "--stream", "orders", "-"], stdin: input).stderr.contains("300 duplicates skipped"))
        #expect(try ws.ok(["replay", "--stream", "orders", "--order", "time"]).lines == lines)
    }

    @Test func badInputExitsNonZeroWithFileLineAndField() throws {
        let ws = try CLIWorkspace()
        var lines = SampleFiles.lines(records: 5, shards: 1)
        lines[2] = lines[2].replacingOccurrences(of: #""ApproximateCreationDateTime":"#, with: #""ApproximateCreationDateTime":"x","Was":"#)
        let path = try ws.write("bad.ndjson", lines)
        let result = try ws.run(["ingest", "--stream", "orders", "--shard", "s", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(path):3: dynamodb.ApproximateCreationDateTime: expected epoch seconds as a number"))
        #expect(try ws.ok(["replay", "--stream", "orders"]).lines == Array(lines[0..<2]))
        let skipped = try ws.ok(["ingest", "--stream", "orders", "--shard", "s", "--skip-invalid", path])
        #expect(skipped.stderr.contains("2 records archived") && skipped.stderr.contains("1 rejected"))
    }

    @Test func helpfulErrorsForUsageMistakes() throws {
        let ws = try CLIWorkspace()
        let noArchive = try ws.run(["replay", "--stream", "orders"])
        #expect(noArchive.status != 0 && noArchive.stderr.contains("No archive at"))
        let badTime = try ws.run(["replay", "--stream", "orders", "--from", "yesterday"])
        #expect(badTime.status == 64 && badTime.stderr.contains("is not a time"))
        let seqWithoutShard = try ws.run(["replay", "--stream", "orders", "--from-seq", "1"])
        #expect(seqWithoutShard.stderr.contains("add --shard"))
        #expect(try ws.run(["ingest", "--help"]).stdoutText.contains("--skip-invalid"))
    }
}

@Suite(.timeLimit(.minutes(3)))
struct CLIConvertTests {
    @Test func convertAndReplayFormatsAgree() throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 50, shards: 1)
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)
        let kds = try CommandRunner.streamvault(["convert", "--from", "native", "--to", "kds", "--table-name", "Orders"], stdin: input).lines
        #expect(kds.count == 50)
        let back = try CommandRunner.streamvault(
            ["convert", "--from", "kds", "--to", "plain"],
            stdin: Data((kds.joined(separator: "\n") + "\n").utf8)
        ).lines
        #expect(back.count == 50)
        try ws.ok(["ingest", "--stream", "orders", "--shard", "s1", "-"], stdin: input)
        let replayed = try ws.ok(["replay", "--stream", "orders", "--format", "kds", "--table-name", "Orders"]).lines
        #expect(replayed == kds, "replay --format and convert give the same bytes")
        let plain =
            try JSONSerialization.jsonObject(
                with: Data(try #require(try ws.ok(["replay", "--stream", "orders", "--format", "plain"]).lines.first).utf8)
            ) as? [String: Any]
        let image = (plain?["dynamodb"] as? [String: Any])?["NewImage"] as? [String: Any]
        #expect(image?["status"] as? String == "PENDING")
    }

    /// `convert ... | head` and `replay ... | head`: a reader that goes away ends the output quietly, exit 0.
    @Test func aClosedPipeIsNotAnError() throws {
        let sv = try CommandRunner.streamvaultPath
        let ws = try CLIWorkspace()
        try ws.ok(["ingest", "--stream", "orders", "-"], stdin: Data((SampleFiles.lines(records: 3000).joined(separator: "\n") + "\n").utf8))
        for pipeline in [
            "'\(sv)' sample --records 30000 | '\(sv)' convert --from native --to plain | head -c 100",
            "'\(sv)' replay --stream orders --storage '\(ws.storage)' | head -c 100",
        ] {
            let result = try CommandRunner.run("bash", ["-c", "set -o pipefail; " + pipeline + " > /dev/null"])
            #expect(result.status == 0, "\(pipeline): \(result.stderr)")
        }
    }

    @Test func badRecordNamesLineAndPath() throws {
        let ws = try CLIWorkspace()
        var lines = SampleFiles.lines(records: 3, shards: 1)
        lines[1] = lines[1].replacingOccurrences(of: #""total":{"N":""#, with: #""total":{"N":"x"#)
        let result = try CommandRunner.streamvault(
            ["convert", "--from", "native", "--to", "plain"],
            stdin: Data((lines.joined(separator: "\n") + "\n").utf8)
        )
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 2") && result.stderr.contains("NewImage.total.N: expected a numeric string"))
    }
}
