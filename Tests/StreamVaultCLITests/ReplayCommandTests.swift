import Foundation
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ReplayCommandTests {
    /// `--event-name` is the pipeline's filter stage: only those events come out, in order, and `--timing` counts the rest.
    @Test(arguments: [["REMOVE"], ["insert", "modify"]])
    func eventNameFiltersAndCounts(_ names: [String]) throws {
        let ws = try CLIWorkspace()
        let lines = SampleFiles.lines(records: 300, shards: 1)
        try ws.ok(["ingest", "--stream", "orders", "--shard", "s", "-"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        let expected = lines.filter { line in names.contains { line.contains("\"eventName\":\"\($0.uppercased())\"") } }
        let result = try ws.ok(["replay", "--stream", "orders", "--timing", "--event-name"] + names)
        #expect(!expected.isEmpty && result.lines == expected)
        #expect(result.stderr.contains("replay: \(expected.count) records") && result.stderr.contains("\(lines.count - expected.count) filtered out"))
        let bad = try ws.run(["replay", "--stream", "orders", "--event-name", "UPSERT"])
        #expect(bad.status == 64)
    }
}
