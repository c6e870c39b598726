public import AWSCore
public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `--lambda NAME`: the Lambda Invoke API (`POST /2015-03-31/functions/NAME/invocations`, RequestResponse),
/// signed with SigV4 from the credential chain. `X-Amz-Function-Error` in the answer is a function error;
/// Lambda's own errors (throttling, 5xx) are function errors too, retried as the mapping retries them; an
/// unknown function or denied access (4xx from Lambda itself) makes the handler unusable.
public final class LambdaInvokeHandler: Handler {
    /// The function name or ARN.
    public let function: String
    private let environment: AWSEnvironment
    private let endpoint: URL
    private let timeout: Duration
    private let client: HTTPClient

    /// Lambda's signing name, endpoint prefix and endpoint variable (`AWS_ENDPOINT_URL_LAMBDA`).
    public static let service = AWSService(
        signingName: "lambda",
        endpointPrefix: "lambda",
        targetPrefix: "",
        jsonVersion: "1.1",
        environmentKey: "LAMBDA"
    )

    /// - Parameters:
    ///   - function: the function name, ARN or partial ARN (a qualifier as `NAME:alias`).
    ///   - environment: credentials, region and endpoint (``AWSEnvironment/resolve(environment:profile:region:endpointURL:readFile:)``).
    ///   - timeout: the longest wait for an answer.
    ///   - client: the HTTP client (shared by the lanes); the caller shuts it down.
    public init(function: String, environment: AWSEnvironment, timeout: Duration, client: HTTPClient) {
        self.function = function
        self.environment = environment
        self.endpoint = environment.endpoint(for: Self.service)
        self.timeout = timeout
        self.client = client
    }

    public func invoke(_ event: [UInt8]) async throws(HandlerError) -> HandlerOutcome {
        let path = "/2015-03-31/functions/\(function)/invocations"
        var host = endpoint.host ?? "localhost"
        if let port = endpoint.port { host += ":\(port)" }
        let body = Data(event)
        let signer = SigV4Signer(credentials: environment.credentials, region: environment.region, service: Self.service.signingName)
        let signed = signer.sign(
            SigV4Signer.Request(
                method: "POST",
                path: path,
                headers: [("Host", host), ("Content-Type", "application/json"), ("X-Amz-Invocation-Type", "RequestResponse")],
                body: body
            ),
            date: Date()
        )
        let base = endpoint.absoluteString.hasSuffix("/") ? String(endpoint.absoluteString.dropLast()) : endpoint.absoluteString
        var encodedPath = path
        encodedPath = encodedPath.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        var request = HTTPClientRequest(url: base + encodedPath)
        request.method = .POST
        for (name, value) in signed.headers where name.lowercased() != "host" { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Authorization", value: signed.authorization)
        request.body = .bytes(ByteBuffer(bytes: event))
        let outcome = try await HTTPHandler.send(request, client: client, timeout: timeout, url: base)
        if case .functionError(let type, let message) = outcome, type == "HTTP 404" || type == "HTTP 403" || type == "HTTP 400" {
            throw HandlerError(
                code: .protocolViolation,
                message: "Lambda refused to invoke '\(function)' (\(type.dropFirst(5))): \(message). Check the function name, region and credentials."
            )
        }
        return outcome
    }

    public func shutdown() async {}
}
