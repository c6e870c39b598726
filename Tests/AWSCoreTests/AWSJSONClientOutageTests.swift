import AWSCore
import AsyncHTTPClient
import Foundation
import StreamVaultTesting
import Testing

/// An endpoint that is down: a refused connection fails its attempt at once, and cancelling ends a hanging call.
@Suite(.timeLimit(.minutes(3)))
struct AWSJSONClientOutageTests {
    static func client(_ endpoint: DeadEndpoint, http: HTTPClient, retry: RetryPolicy, timeout: Duration = .seconds(90)) -> AWSJSONClient {
        AWSJSONClient(
            service: .kinesis,
            environment: AWSEnvironment(
                credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"),
                region: "us-east-1",
                endpointOverride: URL(string: endpoint.url)
            ),
            httpClient: http,
            configuration: .init(timeout: timeout, retry: retry)
        )
    }

    @Test func refusedConnectionFailsEachAttemptAtOnceAndIsRetried() async throws {
        let endpoint = try DeadEndpoint(.refusesConnections)
        // Before, each attempt waited out the connect timeout: 2 x 60 s here.
        let http = AWSJSONClient.makeHTTPClient(connectTimeout: .seconds(60))
        let started = ContinuousClock.now
        await #expect {
            _ = try await Self.client(endpoint, http: http, retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10)))
                .send(operation: "ListShards", body: Data("{}".utf8))
        } throws: { error in
            let error = error as? AWSError
            return error?.code == .connection && error?.message.contains("127.0.0.1:\(endpoint.port)") == true
        }
        // Two attempts and a short backoff take milliseconds. The bound is loose because tests that block the few
        // cooperative threads (synchronous CLI tests) were seen to delay this one by ~30 s in a full run.
        #expect(ContinuousClock.now - started < .seconds(50))
        try await http.shutdown()
    }

    @Test func cancellingEndsAHangingCall() async throws {
        let endpoint = try DeadEndpoint(.neverAnswers)
        let http = AWSJSONClient.makeHTTPClient()
        let client = Self.client(endpoint, http: http, retry: RetryPolicy())
        let call = Task { try await client.send(operation: "ListShards", body: Data("{}".utf8)) }
        try await Task.sleep(for: .milliseconds(500))
        let cancelled = ContinuousClock.now
        call.cancel()
        await #expect(throws: CancellationError.self) { _ = try await call.value }
        // Well before the 90 s request timeout (loose for the same reason as above).
        #expect(ContinuousClock.now - cancelled < .seconds(45))
        try await http.shutdown()
    }
}
