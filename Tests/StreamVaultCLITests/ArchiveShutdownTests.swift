import Foundation
import StreamVaultTesting
import Testing

/// SIGTERM while the AWS endpoint is down: the archiver stops within 10 s, whatever the network does.
@Suite(.timeLimit(.minutes(2)))
struct ArchiveShutdownTests {
    static let environment = [
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "",
        "AWS_PROFILE": "",
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        let behaviour: DeadEndpoint.Behaviour
        let source: [String]
        var testDescription: String { "\(behaviour.rawValue) \(source.joined(separator: " "))" }
    }

    @Test(arguments: [
        Case(behaviour: .refusesConnections, source: ["--kinesis-stream", "orders-cdc"]),
        Case(behaviour: .refusesConnections, source: ["--table", "Orders"]),
        Case(behaviour: .neverAnswers, source: ["--kinesis-stream", "orders-cdc"]),
        Case(behaviour: .neverAnswers, source: ["--table", "Orders"]),
    ])
    func sigtermDuringAnOutageExitsWithinTenSeconds(_ c: Case) async throws {
        let endpoint = try DeadEndpoint(c.behaviour)
        let workspace = try CLIWorkspace()
        let archiver = try CommandRunner.start(
            CommandRunner.streamvaultPath,
            ["archive"] + c.source + ["--endpoint-url", endpoint.url, "--poll-interval", "0.2", "--storage", workspace.storage],
            environment: Self.environment
        )
        // Long enough to be inside a retry, a backoff sleep or a hanging request. (Waits are async: blocking the
        // few cooperative threads would stall the other tests running beside this one.)
        try await Task.sleep(for: .seconds(3))
        #expect(archiver.process.isRunning, "the archiver must keep trying while the endpoint is down")
        let signalled = ContinuousClock.now
        archiver.kill(SIGTERM)
        while archiver.process.isRunning && ContinuousClock.now - signalled < .seconds(10) { try await Task.sleep(for: .milliseconds(50)) }
        let exitedInTime = !archiver.process.isRunning
        if !exitedInTime { archiver.kill(SIGKILL) }
        let result = await archiver.finished()
        #expect(exitedInTime, "still running 10 s after SIGTERM: \(result.stderr.suffix(1500))")
        #expect(result.status == 0, "SIGTERM must stop the archiver cleanly: \(result.stderr.suffix(1500))")
    }

    /// `--endpoint-url` may carry `user:password@`; neither errors nor debug logs repeat it.
    @Test func endpointUserInfoIsRedactedInErrorsAndLogs() async throws {
        let endpoint = try DeadEndpoint(.refusesConnections)
        let workspace = try CLIWorkspace()
        let url = "http://alice:hunter2@127.0.0.1:\(endpoint.port)"
        let result = try await CommandRunner.streamvaultAsync(
            ["archive", "--kinesis-stream", "orders-cdc", "--once", "--endpoint-url", url, "--log-level", "trace", "--storage", workspace.storage],
            environment: Self.environment
        )
        #expect(result.status != 0)
        #expect(result.stderr.contains("127.0.0.1:\(endpoint.port)"), "the error should still name the endpoint: \(result.stderr.suffix(1500))")
        #expect(!result.stderr.contains("hunter2"), "the password was printed: \(result.stderr.suffix(1500))")
        #expect(!result.stderr.contains("alice"), "the user name was printed: \(result.stderr.suffix(1500))")
        #expect(!result.stdoutText.contains("hunter2"))

        let invalid = try await CommandRunner.streamvaultAsync(
            ["archive", "--kinesis-stream", "orders-cdc", "--once", "--endpoint-url", "ftp://alice:hunter2@host", "--storage", workspace.storage],
            environment: Self.environment
        )
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("not an http(s) URL"), "\(invalid.stderr)")
        #expect(!invalid.stderr.contains("hunter2"), "the password was printed: \(invalid.stderr)")
    }
}
