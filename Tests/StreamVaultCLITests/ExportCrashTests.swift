import Foundation
import StreamVaultTesting
import Testing

/// kill -9 during `export` and `snapshot` at random moments: the output directory is either absent or a whole,
/// verifiable export (never a half-written one under the name asked for), and running the command again works.
@Suite(.timeLimit(.minutes(6)))
struct ExportCrashTests {
    @Test(arguments: ["export", "snapshot"])
    func sigkillLeavesNoHalfExport(_ command: String) async throws {
        let ws = try CLIWorkspace()
        let files = try SampleFiles.perShard(in: ws.directory.path, records: 20_000, shards: 1, seed: 21)
        for file in files { try await ws.okAsync(["ingest", "--stream", "orders", "--shard", file.shard, file.path]) }
        func arguments(_ out: String) -> [String] {
            (command == "export"
                ? ["export", "--stream", "orders", "--from", "2026-01-01", "--to", "2026-01-03", "--max-file-records", "500"]
                : ["snapshot", "--stream", "orders", "--at", "2026-01-02"]) + ["--out", out, "--storage", ws.storage]
        }
        let probeStarted = Date()
        let probe = try await CommandRunner.streamvaultAsync(arguments(ws.directory.file("probe")))
        #expect(probe.status == 0, "\(probe.stderr)")
        var fullRunBound = Date().timeIntervalSince(probeStarted)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var sawPartial = false
        let out = ws.directory.file("out")
        for round in 0..<20 where kills < 3 {
            let delay = Double.random(in: 0.05...0.9, using: &generator) * fullRunBound
            let process = try CommandRunner.start(try CommandRunner.streamvaultPath, arguments(out))
            try await Task.sleep(for: .seconds(delay))
            process.kill(SIGKILL)
            let result = await process.finished()
            if result.status == 0 {
                // Finished before the kill (the probe ran on a busier machine): a whole export; aim earlier from now on.
                #expect(try await CommandRunner.streamvaultAsync(["verify-export", out]).status == 0)
                try FileManager.default.removeItem(atPath: out)
                fullRunBound = delay
                continue
            }
            kills += 1
            #expect(!FileManager.default.fileExists(atPath: out), "round \(round): a killed run left '\(out)' behind")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: ws.directory.path).filter { $0.hasPrefix(".out.partial-") }
            if !leftovers.isEmpty { sawPartial = true }
        }
        #expect(kills >= 2, "runs must have been killed mid-way")
        #expect(sawPartial, "some kill must land while files were being written")
        try await ws.okAsync(Array(arguments(out).dropLast(2)))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: ws.directory.path).filter { $0.hasPrefix(".out.partial-") }
        #expect(leftovers.isEmpty, "the next run deletes what killed runs left: \(leftovers)")
        let verified = try await CommandRunner.streamvaultAsync(["verify-export", out])
        #expect(verified.status == 0, "\(verified.stdoutText)")
        let probeManifest = try String(contentsOfFile: ws.directory.file("probe") + "/manifest.json", encoding: .utf8)
        let finalManifest = try String(contentsOfFile: out + "/manifest.json", encoding: .utf8)
        #expect(Self.recordCount(probeManifest) == Self.recordCount(finalManifest))
        #expect(Self.recordCount(finalManifest) ?? 0 > 0)
    }

    static func recordCount(_ manifest: String) -> Int? {
        guard let range = manifest.range(of: #""recordCount" : "#) else { return nil }
        return Int(manifest[range.upperBound...].prefix { $0.isNumber })
    }
}
