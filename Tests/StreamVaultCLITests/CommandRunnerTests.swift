import Foundation
import StreamVaultTesting
import Testing

/// CommandRunner's async waits leave the cooperative pool free while children run.
struct CommandRunnerTests {
    /// Three children per core, each sleeping 2 s, all waited for at once: blocking waits would hold every
    /// cooperative thread and take at least 6 s; async ones overlap and take about 2 s.
    @Test func asyncWaitsDoNotHoldCooperativeThreads() async throws {
        let children = ProcessInfo.processInfo.activeProcessorCount * 3
        let started = ContinuousClock.now
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<children {
                group.addTask { try await CommandRunner.runAsync("sleep", ["2"]).status }
            }
            return try await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - started
        #expect(statuses == Array(repeating: 0, count: children))
        #expect(elapsed < .seconds(4.5), "\(children) children of 2 s took \(elapsed)")
    }

    @Test func asyncRunCapturesStatusStdoutAndStderr() async throws {
        let result = try await CommandRunner.runAsync("sh", ["-c", "cat; echo oops >&2; exit 3"], stdin: Data("hello\n".utf8))
        #expect(result.status == 3)
        #expect(result.lines == ["hello"])
        #expect(result.stderr == "oops\n")
    }
}
