public import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// Calls an AWS JSON-protocol service (JSON 1.0/1.1 over HTTP POST with `X-Amz-Target`), signed with SigV4.
///
/// Every call has a timeout, decodes AWS's error answers into ``AWSError`` and retries throttling,
/// 5xx and connection failures with jittered exponential backoff (``RetryPolicy``), sleeping on the
/// injected clock. Permanent errors (not found, access denied, validation, trimmed data, expired
/// iterator) are thrown at once.
///
/// ```swift
/// let client = AWSJSONClient(service: .dynamoDBStreams, environment: aws, httpClient: .shared, logger: logger)
/// let body = try await client.send(operation: "DescribeStream", body: Data(#"{"StreamArn":"..."}"#.utf8))
/// ```
public struct AWSJSONClient: Sendable {
    /// Per-call limits and the retry policy.
    public struct Configuration: Sendable {
        /// The timeout of one HTTP attempt (connect, send, receive). Default 30 s (GetRecords may carry 10 MB).
        public var timeout: Duration
        /// When to retry. Default ``RetryPolicy/init(maxAttempts:baseDelay:throttlingBaseDelay:maxDelay:)`` defaults.
        public var retry: RetryPolicy
        /// The largest answer accepted, in bytes. Default 64 MiB (a Kinesis GetRecords answer is at most about 14 MB).
        public var maxResponseBytes: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - timeout: Timeout of one attempt; default 30 s.
        ///   - retry: The retry policy; default ``RetryPolicy``'s defaults.
        ///   - maxResponseBytes: The largest answer accepted; default 64 MiB.
        public init(timeout: Duration = .seconds(30), retry: RetryPolicy = RetryPolicy(), maxResponseBytes: Int = 64 << 20) {
            self.timeout = timeout
            self.retry = retry
            self.maxResponseBytes = maxResponseBytes
        }
    }

    /// The service this client calls.
    public let service: AWSService
    /// Credentials, region and endpoint.
    public let environment: AWSEnvironment
    /// Limits and retries.
    public let configuration: Configuration
    let httpClient: HTTPClient
    let sleep: @Sendable (Duration) async throws -> Void
    let logger: Logger
    let now: @Sendable () -> Date
    let jitter: @Sendable () -> Double

    /// Creates a client.
    /// - Parameters:
    ///   - service: The service to call.
    ///   - environment: Credentials, region and endpoint (see ``AWSEnvironment/resolve(environment:profile:region:endpointURL:readFile:)``).
    ///   - httpClient: The HTTP client; its lifetime is the caller's. `HTTPClient.shared` is fine.
    ///   - configuration: Timeout, retries and limits; default ``Configuration/init(timeout:retry:maxResponseBytes:)``.
    ///   - clock: The clock that backoff sleeps on; default `ContinuousClock()`. Tests pass one that doesn't wait.
    ///   - logger: Where to log (debug: calls and retries). Default: a logger that discards everything.
    ///   - now: The signing time source; default `Date.init`.
    ///   - jitter: A source of random values in `0..<1` for backoff; default `Double.random(in: 0..<1)`.
    public init<C: Clock>(
        service: AWSService,
        environment: AWSEnvironment,
        httpClient: HTTPClient,
        configuration: Configuration = Configuration(),
        clock: C = ContinuousClock(),
        logger: Logger = Logger(label: "streamvault.aws", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = { Date() },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) where C.Duration == Duration {
        self.service = service
        self.environment = environment
        self.httpClient = httpClient
        self.configuration = configuration
        self.sleep = { duration in try await clock.sleep(for: duration) }
        var logger = logger
        logger[metadataKey: "sv.aws.service"] = "\(service.targetPrefix)"
        self.logger = logger
        self.now = now
        self.jitter = jitter
    }

    /// Sends one operation and returns the body of the successful answer, retrying as the policy says.
    /// - Parameters:
    ///   - operation: The operation name, e.g. `GetRecords` (sent as `X-Amz-Target: <prefix>.GetRecords`).
    ///   - body: The JSON request body.
    /// - Returns: The answer's body bytes (HTTP 200).
    /// - Throws: ``AWSError`` (after retries for retryable codes), or `CancellationError` when the task is cancelled.
    public func send(operation: String, body: Data) async throws -> [UInt8] {
        var attempt = 1
        while true {
            try Task.checkCancellation()
            do {
                return try await sendOnce(operation: operation, body: body, attempt: attempt)
            } catch let error as AWSError {
                switch configuration.retry.decision(after: error, attempt: attempt, jitter: jitter()) {
                case .fail:
                    throw error
                case .retry(let delay):
                    logger.debug(
                        "Retrying AWS call",
                        metadata: [
                            "sv.aws.operation": "\(operation)", "sv.aws.attempt": "\(attempt)", "sv.aws.error": "\(error.code)",
                            "sv.aws.delay": "\(delay)",
                        ]
                    )
                    try await sleep(delay)
                    attempt += 1
                }
            }
        }
    }

    /// Encodes `input` as JSON, sends it and decodes the answer.
    /// - Parameters:
    ///   - operation: The operation name.
    ///   - input: The request shape.
    ///   - output: The answer shape.
    /// - Returns: The decoded answer.
    /// - Throws: ``AWSError``; ``AWSError/Code/invalidResponse`` when the answer doesn't decode.
    public func send<Input: Encodable, Output: Decodable>(operation: String, input: Input, output: Output.Type = Output.self) async throws -> Output {
        let body: Data
        do { body = try JSONEncoder().encode(input) } catch {
            throw AWSError(code: .validation, message: "Could not encode the \(operation) request: \(error).")
        }
        let answer = try await send(operation: operation, body: body)
        do {
            return try JSONDecoder().decode(Output.self, from: Data(answer))
        } catch {
            throw AWSError(
                code: .invalidResponse,
                message: "The \(operation) answer from \(endpointDescription) could not be decoded (\(Self.decodingSummary(error))). "
                    + "Check that the endpoint is a \(service.targetPrefix) service."
            )
        }
    }

    /// The endpoint as errors show it: without `user:password@`.
    private var endpointDescription: RedactedEndpoint { RedactedEndpoint(environment.endpoint(for: service)) }

    private func sendOnce(operation: String, body: Data, attempt: Int) async throws -> [UInt8] {
        let endpoint = environment.endpoint(for: service)
        let host = endpoint.host ?? ""
        let defaultPort = endpoint.scheme?.lowercased() == "https" ? 443 : 80
        let hostHeader = endpoint.port.map { $0 == defaultPort ? host : "\(host):\($0)" } ?? host
        let path = endpoint.path.isEmpty ? "/" : endpoint.path
        let signer = SigV4Signer(credentials: environment.credentials, region: environment.region, service: service.signingName)
        let signed = signer.sign(
            SigV4Signer.Request(
                method: "POST",
                path: path,
                headers: [
                    (name: "Host", value: hostHeader),
                    (name: "Content-Type", value: service.contentType),
                    (name: "X-Amz-Target", value: "\(service.targetPrefix).\(operation)"),
                ],
                body: body
            ),
            date: now()
        )
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        for header in signed.headers where header.name.lowercased() != "host" {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))

        var logger = self.logger
        logger[metadataKey: "sv.aws.operation"] = "\(operation)"
        logger[metadataKey: "sv.aws.attempt"] = "\(attempt)"
        let timeout = TimeAmount.nanoseconds(Self.nanoseconds(configuration.timeout))
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            // AHC's deadline only covers the wait for the response head (and under load a request that had to
            // wait for a connection was seen to outlive it), so the whole exchange, body included, races a timer.
            (response, bytes) = try await Self.withTimeout(configuration.timeout) { [httpClient, configuration, request, logger] in
                let response = try await httpClient.execute(request, timeout: timeout, logger: logger)
                let bytes = try await response.body.collect(upTo: configuration.maxResponseBytes)
                return (response, bytes)
            }
        } catch let error as CancellationError {
            throw error
        } catch is NIOTooManyBytesError {
            throw AWSError(
                code: .invalidResponse,
                message:
                    "The \(operation) answer exceeded \(configuration.maxResponseBytes) bytes. Lower the request's Limit or raise maxResponseBytes."
            )
        } catch {
            if Task.isCancelled { throw CancellationError() }
            let reason: String
            if error is TimedOut {
                reason = "timed out after \(configuration.timeout)"
            } else if let httpError = error as? HTTPClientError, httpError == .deadlineExceeded || httpError == .readTimeout {
                reason = "timed out after \(configuration.timeout)"
            } else {
                reason = "failed: \(error)"
            }
            throw AWSError(
                code: .connection,
                message: "The \(operation) call to \(RedactedEndpoint(endpoint)) \(reason). Check the endpoint URL and the network."
            )
        }
        let status = Int(response.status.code)
        logger.trace("AWS call answered", metadata: ["sv.aws.status": "\(status)", "sv.aws.bytes": "\(bytes.readableBytes)"])
        let body = Array(bytes.readableBytesView)
        if status == 200 { return body }
        throw Self.decodeError(
            status: status,
            body: body,
            errorTypeHeader: response.headers.first(name: "x-amzn-ErrorType"),
            operation: operation
        )
    }

    /// Decodes an AWS error answer (JSON `__type` + `message`/`Message`, or just a status).
    static func decodeError(status: Int, body: [UInt8], errorTypeHeader: String?, operation: String) -> AWSError {
        struct ErrorBody: Decodable {
            let type: String?
            let message: String?
            let upperMessage: String?
            enum CodingKeys: String, CodingKey {
                case type = "__type"
                case message
                case upperMessage = "Message"
            }
        }
        let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body))
        var type = decoded?.type ?? errorTypeHeader
        if let raw = type {
            // "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException" or "ExpiredIteratorException:http://..."
            var name = Substring(raw)
            if let hash = name.lastIndex(of: "#") { name = name[name.index(after: hash)...] }
            if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
            type = name.isEmpty ? nil : String(name)
        }
        let code = AWSError.code(forAWSType: type, httpStatus: status)
        var message: String
        if let awsMessage = decoded?.message ?? decoded?.upperMessage, !awsMessage.isEmpty {
            message = "\(operation) failed: \(awsMessage)"
        } else if decoded == nil {
            message = "\(operation) failed with HTTP \(status) and a non-JSON body of \(body.count) bytes"
        } else {
            message = "\(operation) failed with HTTP \(status)"
        }
        if !message.hasSuffix(".") { message += "." }
        let advice = AWSError.advice(for: code)
        if !advice.isEmpty { message += " " + advice }
        return AWSError(code: code, message: message, awsType: type, httpStatus: status)
    }

    struct TimedOut: Error {}

    /// Runs `operation`, throwing ``TimedOut`` if it hasn't finished after `timeout` (real time: it bounds network I/O).
    static func withTimeout<T: Sendable>(
        _ timeout: Duration,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimedOut()
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw TimedOut() }
            return first
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }

    private static func decodingSummary(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "bad field \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: return "not decodable"
        }
    }
}
