import AWSCore
import AsyncHTTPClient
import Foundation
import StreamVaultTesting
import Testing

/// An endpoint that is down: a refused connection fails its attempt at once, and cancelling ends a hanging call.
@Suite(.timeLimit(.minutes(1)))
struct AWSJSONClientOutageTests {
    static func client(_ endpoint: DeadEndpoint, http: HTTPClient, retry: RetryPolicy) -> AWSJSONClient {
        AWSJSONClient(
            service: .kinesis,
            environment: AWSEnvironment(
                credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"),
                region: "us-east-1",
                endpointOverride: URL(string: endpoint.url)
            ),
            httpClient: http,
            configuration: .init(timeout: .seconds(30), retry: retry)
        )
    }

    @Test func refusedConnectionFailsEachAttemptAtOnceAndIsRetried() async throws {
        let endpoint = try DeadEndpoint(.refusesConnections)
        let http = AWSJSONClient.makeHTTPClient()
        let started = ContinuousClock.now
        await #expect {
            _ = try await Self.client(endpoint, http: http, retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10)))
                .send(operation: "ListShards", body: Data("{}".utf8))
        } throws: { error in
            let error = error as? AWSError
            return error?.code == .connection && error?.message.contains("127.0.0.1:\(endpoint.port)") == true
        }
        // Four attempts and three short backoffs, not four connect timeouts (30 s each before the fix). The bound is
        // loose because synchronous CLI suites running beside this one can hold the cooperative threads for seconds.
        #expect(ContinuousClock.now - started < .seconds(20))
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
        #expect(ContinuousClock.now - cancelled < .seconds(3))
        try await http.shutdown()
    }
}
