public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `--http URL`: POSTs each event to `URL` over keep-alive connections. A 2xx answer's body is the response
/// (Lambda's error shape in it, `{"errorType","errorMessage"}`, or an `X-Amz-Function-Error` header, is a
/// function error, as the Lambda Runtime Interface Emulator answers); any other status is a function error; no
/// answer within the timeout is a timeout. An endpoint that refuses connections makes the handler unusable.
public final class HTTPHandler: Handler {
    /// Where events go.
    public let url: String
    private let timeout: Duration
    private let client: HTTPClient
    private let extraHeaders: [(String, String)]

    /// - Parameters:
    ///   - url: the endpoint (e.g. the RIE's `http://127.0.0.1:9000/2015-03-31/functions/function/invocations`).
    ///   - timeout: the function timeout.
    ///   - client: the HTTP client to use (shared by the lanes); the caller shuts it down.
    ///   - headers: added to every request.
    public init(url: String, timeout: Duration, client: HTTPClient, headers: [(String, String)] = []) {
        self.url = url
        self.timeout = timeout
        self.client = client
        self.extraHeaders = headers
    }

    /// A client for handlers: fails a refused connection at once (no silent reconnect loop), keeps connections.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public func invoke(_ event: [UInt8]) async throws(HandlerError) -> HandlerOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in extraHeaders { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: event))
        return try await HTTPHandler.send(request, client: client, timeout: timeout, url: url)
    }

    public func shutdown() async {}

    /// Sends `request`; maps the answer to an outcome (shared with ``LambdaInvokeHandler``).
    static func send(_ request: HTTPClientRequest, client: HTTPClient, timeout: Duration, url: String) async throws(HandlerError) -> HandlerOutcome {
        let (seconds, attoseconds) = timeout.components
        let deadline = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(request, timeout: deadline)
            var body = try await response.body.collect(upTo: 64 << 20)
            let bytes = body.readBytes(length: body.readableBytes) ?? []
            if let functionError = response.headers.first(name: "X-Amz-Function-Error") {
                if case .functionError(let type, let message) = ResponseShape.outcome(of: bytes) {
                    return .functionError(type: type, message: message)
                }
                return .functionError(type: functionError, message: String(decoding: bytes.prefix(500), as: UTF8.self))
            }
            guard (200..<300).contains(Int(response.status.code)) else {
                return .functionError(type: "HTTP \(response.status.code)", message: String(decoding: bytes.prefix(500), as: UTF8.self))
            }
            return ResponseShape.outcome(of: bytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .timedOut
        } catch let error as HTTPClientError where error == .remoteConnectionClosed {
            return .crashed("the endpoint closed the connection without answering")
        } catch {
            throw HandlerError(
                code: .unreachable,
                message: "The handler endpoint \(url) cannot be reached: \(error). Start it, or check the URL."
            )
        }
    }
}
