import Foundation
import StreamVaultTesting
import Testing

/// CommandRunner's async waits leave the cooperative pool free while children run.
struct CommandRunnerTests {
    /// Three children per core, each alive for 5 s, all waited for at once. Blocking waits hold a cooperative
    /// thread per child, so the third child of a 2-core pool cannot start before the first has ended; async
    /// waits let them all start at once, so some moment finds every child alive. Overlap, not elapsed time, is
    /// checked: other suites running beside this one can delay the whole group, but not serialise it.
    @Test func asyncWaitsDoNotHoldCooperativeThreads() async throws {
        let children = ProcessInfo.processInfo.activeProcessorCount * 3
        let lifetimes = try await withThrowingTaskGroup(of: (start: Double, end: Double).self) { group in
            for _ in 0..<children {
                group.addTask {
                    let result = try await CommandRunner.runAsync("sh", ["-c", "date +%s.%N; sleep 5; date +%s.%N"])
                    let times = result.lines.compactMap(Double.init)
                    #expect(result.status == 0 && times.count == 2, "\(result.stderr)")
                    return (times.first ?? 0, times.last ?? 0)
                }
            }
            return try await group.reduce(into: [(start: Double, end: Double)]()) { $0.append($1) }
        }
        let lastStart = lifetimes.map(\.start).max() ?? 0
        let firstEnd = lifetimes.map(\.end).min() ?? 0
        #expect(lifetimes.count == children)
        #expect(lastStart < firstEnd, "the last of \(children) children started \(lastStart - firstEnd) s after the first ended")
    }

    @Test func asyncRunCapturesStatusStdoutAndStderr() async throws {
        let result = try await CommandRunner.runAsync("sh", ["-c", "cat; echo oops >&2; exit 3"], stdin: Data("hello\n".utf8))
        #expect(result.status == 3)
        #expect(result.lines == ["hello"])
        #expect(result.stderr == "oops\n")
    }
}
