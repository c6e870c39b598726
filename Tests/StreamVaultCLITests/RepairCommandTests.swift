import Foundation
import StreamVaultTesting
import Testing

/// A segment truncated outside StreamVault: the writer says to run `repair`, which cuts back, records the
/// loss as a gap and unblocks the stream.
@Suite(.timeLimit(.minutes(5)))
struct RepairCommandTests {
    /// Cuts `bytes` off the end of the stream's newest segment.
    static func truncateNewestSegment(_ ws: CLIWorkspace, by bytes: Int) throws {
        let path = try #require(try ws.segments().last)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size - bytes)) == 0)
    }

    @Test(arguments: [true, false])
    func repairCutsBackRecordsTheGapAndIngestRecovers(namedShard: Bool) throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 400, shards: 1)
        let path = try ws.write("in.ndjson", lines)
        let shardArguments = namedShard ? ["--shard", "shard-a"] : []
        try ws.ok(["ingest", "--stream", "orders", "--block-kib", "8"] + shardArguments + [path])
        try Self.truncateNewestSegment(ws, by: 100)

        let blocked = try ws.run(["ingest", "--stream", "orders"] + shardArguments + [path])
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("streamvault repair --stream orders"))

        let repair = try ws.ok(["repair", "--stream", "orders"])
        let shard = namedShard ? "shard-a" : "default"
        #expect(repair.stdoutText.contains("LOST "))
        #expect(repair.stdoutText.contains("records of shard \(shard), sequence "))
        let parts = repair.stdoutText.split(separator: "LOST ")
        let lost = try #require(parts.count == 2 ? Int(parts[1].prefix { $0.isNumber }) : nil)
        #expect(lost > 0 && lost < 400)
        #expect(try ws.ok(["ls"]).stdoutText.contains("GAP in \(shard)"))
        #expect(try ws.ok(["verify"]).stdoutText.contains(": OK"))
        #expect(try ws.ok(["replay", "--stream", "orders"]).lines.count == 400 - lost)
        #expect(try ws.ok(["repair", "--stream", "orders"]).stdoutText.contains("nothing to repair"))

        // The lost records are not mistaken for archived ones: ingesting the input again brings them back.
        let again = try ws.ok(["ingest", "--stream", "orders"] + shardArguments + [path])
        #expect(again.stderr.contains("\(lost) records archived, \(400 - lost) duplicates skipped"))
        #expect(Set(try ws.ok(["replay", "--stream", "orders"]).lines) == Set(lines))
        #expect(try ws.ok(["verify"]).stdoutText.contains(": OK"))
    }

    @Test func repairStartsAMissingOpenSegmentAgain() throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 100, shards: 1)
        let path = try ws.write("in.ndjson", lines)
        try ws.ok(["ingest", "--stream", "orders", "--shard", "a", path])
        try FileManager.default.removeItem(atPath: try #require(try ws.segments().last))

        let blocked = try ws.run(["ingest", "--stream", "orders", "--shard", "a", path])
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("is missing") && blocked.stderr.contains("streamvault repair --stream orders"))
        #expect(try ws.ok(["repair", "--stream", "orders"]).stdoutText.contains("LOST 100 records of shard a"))
        #expect(try ws.ok(["verify"]).stdoutText.contains(": OK"))
        #expect(try ws.ok(["ingest", "--stream", "orders", "--shard", "a", path]).stderr.contains("100 records archived"))
        #expect(try ws.ok(["replay", "--stream", "orders"]).lines == lines)
    }
}
