import Foundation
import StreamVaultTesting
import Testing

/// Input is streamed: memory stays bounded whatever the file's size, and a record has a maximum size
/// (issue 8, must 2; issue 9, defect 8).
@Suite(.timeLimit(.minutes(5)))
struct InputSizeTests {
    /// Runs `streamvault` under a tiny Python parent that reports the child's peak RSS (ru_maxrss, KiB).
    func runMeasured(_ ws: CLIWorkspace, _ arguments: [String]) throws -> (result: CommandRunner.Result, peakMiB: Double) {
        let storage = arguments.first == "convert" ? [] : ["--storage", ws.storage]
        let script = """
            import resource, subprocess, sys
            code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
            print("peak-rss-kib=%d" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
            sys.exit(code)
            """
        let result = try CommandRunner.run("python3", ["-c", script, CommandRunner.streamvaultPath] + arguments + storage)
        let marker = try #require(result.stderr.range(of: "peak-rss-kib="))
        let kib = try #require(Double(result.stderr[marker.upperBound...].prefix { $0.isNumber }))
        return (result, kib / 1024)
    }

    /// The 1 GB case scaled down for a debug build: a 72 MB pretty-printed event file. Reading it whole (as
    /// ingest did) cost 4x the file's size (384 MiB for 96 MiB); streaming stays below the file's size, at the
    /// process's own footprint (a 2.6 GB event file peaks at 46 MiB with the release build).
    @Test func aLargePrettyPrintedEventFileIsIngestedInBoundedMemory() throws {
        let ws = try CLIWorkspace()
        let path = ws.directory.file("event.json")
        let size = try LargeInputFiles.prettyEvent(at: path, records: 30_000)
        #expect(size > 64 << 20, "\(size)")
        let (result, peak) = try runMeasured(ws, ["ingest", "--stream", "orders", "--shard", "s1", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("30,000 records archived"), "\(result.stderr)")
        #expect(peak < 64, "peak RSS \(peak) MiB for a \(size >> 20) MiB file")
    }

    /// 64 MiB without a line break: refused after reading at most the limit, not after buffering it all (which
    /// cost 220 MiB here, 760 MB for 200 MB). The bound is the process's own size plus twice the limit.
    @Test(arguments: [["ingest", "--stream", "orders"], ["convert", "--to", "plain"]])
    func aRecordOverTheLimitFailsFastInSmallMemory(_ command: [String]) throws {
        let ws = try CLIWorkspace()
        let path = ws.directory.file("long.ndjson")
        var text = Data(#"{"eventID":""#.utf8)
        text.append(Data(repeating: UInt8(ascii: "x"), count: 64 << 20))
        try text.write(to: URL(fileURLWithPath: path))
        let (result, peak) = try runMeasured(ws, command + [path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("16 MiB") && result.stderr.contains("--max-record-bytes"), "\(result.stderr)")
        #expect(peak < 72, "peak RSS \(peak) MiB")
    }

    /// The limit is an option: a 17 MiB record is refused by default and archived with a higher limit.
    @Test func maxRecordBytesRaisesTheLimit() throws {
        let ws = try CLIWorkspace()
        var line = SampleFiles.lines(records: 1, shards: 1)[0]
        let key = try #require(line.range(of: #""pk":{"S":""#))
        line.insert(contentsOf: String(repeating: "p", count: 17 << 20), at: key.upperBound)
        let path = try ws.write("big.ndjson", [line])
        let refused = try ws.run(["ingest", "--stream", "orders", path])
        #expect(refused.status == 1 && refused.stderr.contains("\(path):1:"), "\(refused.stderr)")
        let raised = try ws.run(["ingest", "--stream", "orders", "--max-record-bytes", "33554432", path])
        #expect(raised.status == 0 && raised.stderr.contains("1 records archived"), "\(raised.stderr)")
        let converted = try CommandRunner.streamvault(["convert", "--to", "plain", "--max-record-bytes", "33554432", path])
        #expect(converted.status == 0 && converted.stdout.count > 17 << 20, "\(converted.stderr)")
    }
}
