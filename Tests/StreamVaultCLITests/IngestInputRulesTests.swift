import Foundation
import StreamVaultTesting
import Testing

/// What `ingest` refuses up front, and how (issue 9, defects 1, 2 and 12).
@Suite(.timeLimit(.minutes(3)))
struct IngestInputRulesTests {
    @Test(arguments: ["", "a\nb", "a b", "a/b", String(repeating: "x", count: 129), "default"])
    func badShardIDsAreRefusedWithTheRule(_ shard: String) throws {
        let ws = try CLIWorkspace()
        let path = try ws.write("a.ndjson", SampleFiles.lines(records: 3, shards: 1))
        let result = try ws.run(["ingest", "--stream", "orders", "--shard", shard, path])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--shard"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ws.storage + "/orders"), "nothing was written")
    }

    @Test(arguments: [
        ("--block-kib", "9007199254740993"), ("--block-kib", "0"), ("--commit-kib", "-1"), ("--commit-kib", "18014398509481984"),
        ("--max-record-bytes", "10"), ("--max-record-bytes", "99999999999999"), ("--dedupe-memory-mib", "0"),
        ("--dedupe-memory-mib", "1048577"),
    ])
    func numericOptionsOutOfRangeSayTheRange(_ option: String, _ value: String) throws {
        let ws = try CLIWorkspace()
        let path = try ws.write("a.ndjson", SampleFiles.lines(records: 3, shards: 1))
        let result = try ws.run(["ingest", "--stream", "orders", "\(option)=\(value)", path])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(option) && result.stderr.contains("between"), "\(result.stderr)")
    }

    /// Two times that made `maxTime - minTime` trap after the fsync, on every rerun.
    @Test func extremeEventTimesAreRefusedNotACrash() throws {
        let ws = try CLIWorkspace()
        var lines = SampleFiles.lines(records: 4, shards: 1)
        for (i, time) in [(1, "-9223372036854775"), (2, "9223372036854775")] {
            lines[i] = lines[i].replacing(#/"ApproximateCreationDateTime":\d+/#, with: "\"ApproximateCreationDateTime\":\(time)")
        }
        let path = try ws.write("times.ndjson", lines)
        let result = try ws.run(["ingest", "--stream", "orders", "--shard", "s", path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("\(path):2: dynamodb.ApproximateCreationDateTime:"), "\(result.stderr)")
        let skipped = try ws.ok(["ingest", "--stream", "orders", "--shard", "s", "--skip-invalid", path])
        #expect(skipped.stderr.contains("1 records archived") && skipped.stderr.contains("2 rejected"), "\(skipped.stderr)")
    }
}
