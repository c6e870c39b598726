import Foundation
import StreamVaultTesting
import Testing

/// Bad replay options are usage errors (exit 64, a message naming the option), never a crash.
@Suite(.timeLimit(.minutes(2)))
struct ReplayOptionTests {
    @Test(arguments: [
        (["--from=-9223372036854775"], "--from '-9223372036854775' is out of range"),
        (["--to=9223372036854775"], "--to '9223372036854775' is out of range"),
        (["--from=-1"], "is out of range"),
        (["--from", "10000-01-01"], "is not a time"),
        (["--from", "99999999999999999999"], "is not a time"),
        (["--from", "2026-13-01"], "is not a time"),
        (["--from", "2026-01-01T00:00"], "is not a time"),
        (["--from", ""], "is not a time"),
        (["--from", "2026-01-02", "--to", "2026-01-01"], "is after --to"),
        (["--from", "1767225601", "--to", "1767225600"], "is after --to"),
        (["--shard", "s", "--from-seq", "12a"], "--from-seq '12a' is not a sequence number"),
        (["--shard", "s", "--to-seq=-5"], "--to-seq '-5' is not a sequence number"),
        (["--shard", "s", "--from-seq", ""], "is not a sequence number"),
        (["--shard", "s", "--from-seq", String(repeating: "9", count: 65)], "is not a sequence number"),
        (["--shard", "s", "--from-seq", "200", "--to-seq", "100"], "--from-seq 200 is above --to-seq 100"),
        (["--to-seq", "100"], "add --shard"),
    ])
    func badValuesAreUsageErrors(_ options: [String], _ message: String) throws {
        let ws = try CLIWorkspace()
        let result = try ws.run(["replay", "--stream", "orders"] + options)
        #expect(result.status == 64, "\(options): status \(result.status), \(result.stderr)")
        #expect(result.stderr.contains(message), "\(options): \(result.stderr)")
    }

    /// On a real archive the extreme time used to trap in the catalog's window arithmetic; now it is refused first.
    @Test func anExtremeTimeOnARealArchiveIsAUsageErrorNotACrash() throws {
        let ws = try CLIWorkspace()
        try ws.ok(["ingest", "--stream", "orders", "-"], stdin: Data((SampleFiles.lines(records: 20).joined(separator: "\n") + "\n").utf8))
        for option in ["--from=-9223372036854775", "--to=-9223372036854775"] {
            let result = try ws.run(["replay", "--stream", "orders", option])
            #expect(result.status == 64 && result.stderr.contains("is out of range"), "\(option): \(result.status) \(result.stderr)")
        }
        #expect(try ws.ok(["replay", "--stream", "orders", "--from", "1970-01-01"]).lines.count == 20)
    }

    /// The edges of the accepted range are accepted (here: no archive yet, so the command gets as far as opening it).
    @Test(arguments: [
        ["--from", "1970-01-01", "--to", "9999-12-31T23:59:59.999Z"], ["--from", "0"], ["--from", "2026-01-01", "--to", "2026-01-01"],
    ])
    func edgeValuesAreAccepted(_ options: [String]) throws {
        let ws = try CLIWorkspace()
        let result = try ws.run(["replay", "--stream", "orders"] + options)
        #expect(result.status == 1 && result.stderr.contains("No archive at"), "\(options): \(result.stderr)")
    }
}
