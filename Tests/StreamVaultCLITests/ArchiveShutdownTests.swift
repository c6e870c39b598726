import Foundation
import StreamVaultTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A local TCP port that misbehaves like an endpoint during an outage, held open for the test's lifetime.
final class DeadEndpoint {
    enum Behaviour: String, CaseIterable, Sendable {
        /// Bound but not listening: every connection attempt is refused at once.
        case refusesConnections
        /// Listening but never accepting or answering: connections open, requests hang forever.
        case neverAnswers
    }

    let port: Int
    private let socketFD: Int32

    init(_ behaviour: Behaviour) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0, behaviour == .refusesConnections || listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        socketFD = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socketFD) }

    var url: String { "http://127.0.0.1:\(port)" }
}

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
    func sigtermDuringAnOutageExitsWithinTenSeconds(_ c: Case) throws {
        let endpoint = try DeadEndpoint(c.behaviour)
        let workspace = try CLIWorkspace()
        let archiver = try CommandRunner.start(
            CommandRunner.streamvaultPath,
            ["archive"] + c.source + ["--endpoint-url", endpoint.url, "--poll-interval", "0.2", "--storage", workspace.storage],
            environment: Self.environment
        )
        // Long enough to be inside a retry, a backoff sleep or a hanging request.
        usleep(3_000_000)
        #expect(archiver.process.isRunning, "the archiver must keep trying while the endpoint is down")
        let signalled = ContinuousClock.now
        archiver.kill(SIGTERM)
        while archiver.process.isRunning && ContinuousClock.now - signalled < .seconds(10) { usleep(50_000) }
        let exitedInTime = !archiver.process.isRunning
        if !exitedInTime { archiver.kill(SIGKILL) }
        let result = try archiver.wait()
        #expect(exitedInTime, "still running 10 s after SIGTERM: \(result.stderr.suffix(1500))")
        #expect(result.status == 0, "SIGTERM must stop the archiver cleanly: \(result.stderr.suffix(1500))")
    }

    /// `--endpoint-url` may carry `user:password@`; neither errors nor debug logs repeat it.
    @Test func endpointUserInfoIsRedactedInErrorsAndLogs() throws {
        let endpoint = try DeadEndpoint(.refusesConnections)
        let workspace = try CLIWorkspace()
        let url = "http://alice:hunter2@127.0.0.1:\(endpoint.port)"
        let result = try CommandRunner.streamvault(
            ["archive", "--kinesis-stream", "orders-cdc", "--once", "--endpoint-url", url, "--log-level", "trace", "--storage", workspace.storage],
            environment: Self.environment
        )
        #expect(result.status != 0)
        #expect(result.stderr.contains("127.0.0.1:\(endpoint.port)"), "the error should still name the endpoint: \(result.stderr.suffix(1500))")
        #expect(!result.stderr.contains("hunter2"), "the password was printed: \(result.stderr.suffix(1500))")
        #expect(!result.stderr.contains("alice"), "the user name was printed: \(result.stderr.suffix(1500))")
        #expect(!result.stdoutText.contains("hunter2"))

        let invalid = try CommandRunner.streamvault(
            ["archive", "--kinesis-stream", "orders-cdc", "--once", "--endpoint-url", "ftp://alice:hunter2@host", "--storage", workspace.storage],
            environment: Self.environment
        )
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("not an http(s) URL"), "\(invalid.stderr)")
        #expect(!invalid.stderr.contains("hunter2"), "the password was printed: \(invalid.stderr)")
    }
}
