public import AsyncHTTPClient
import NIOCore

extension AWSJSONClient {
    /// An HTTP client for AWS calls that fails fast when the endpoint is down.
    ///
    /// AsyncHTTPClient's default (and `HTTPClient.shared`) keeps retrying a refused connection until the
    /// request's deadline, so one attempt against a stopped endpoint took the whole 30 s timeout. This client
    /// fails the attempt at once instead; ``AWSJSONClient`` still retries it with backoff, and each backoff sleep
    /// ends when the task is cancelled. Shut it down when done (`try await client.shutdown()`).
    /// - Parameter connectTimeout: The longest wait for a TCP connection (an endpoint that drops SYNs); default 10 s.
    /// - Returns: A new client, owned by the caller.
    public static func makeHTTPClient(connectTimeout: Duration = .seconds(10)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let (seconds, attoseconds) = connectTimeout.components
        configuration.timeout.connect = .nanoseconds(seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
