import HTTPTypes
public import Hummingbird
import NIOCore

/// `POST /`: the DynamoDB Streams and Kinesis APIs (told apart by `X-Amz-Target`).
public enum APIRoutes {
    /// The largest API request body read (API requests are a few hundred bytes; AWS's own limit is 1 MB).
    public static let maxRequestBytes = 1 << 20

    /// Adds the route to `router`.
    /// - Parameters:
    ///   - router: The router to extend.
    ///   - api: Answers the calls.
    ///   - authenticator: Verifies SigV4 signatures; `nil` accepts unsigned requests.
    public static func add<Context: RequestContext>(to router: Router<Context>, api: ArchiveAPI, authenticator: RequestAuthenticator?) {
        let target = HTTPField.Name("X-Amz-Target")!
        router.post("/") { request, _ -> Response in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxRequestBytes)
            } catch is NIOTooManyBytesError {
                let error = APIError(
                    code: .validation,
                    message: "The request body is over \(maxRequestBytes) bytes; API requests are small JSON objects."
                )
                return response(ArchiveAPI.errorAnswer(error, api: .dynamoDBStreams, operation: "unknown"), status: .contentTooLarge)
            }
            if let authenticator {
                do throws(APIError) {
                    try authenticator.verify(request, body: body)
                } catch {
                    let api = request.headers[target].flatMap { StreamAPI.parse(target: $0)?.api } ?? .dynamoDBStreams
                    return response(ArchiveAPI.errorAnswer(error, api: api, operation: "unknown"))
                }
            }
            let answer = await api.answer(target: request.headers[target], body: Array(buffer: body))
            return response(answer)
        }
    }

    static func response(_ answer: ArchiveAPI.Answer, status: HTTPResponse.Status? = nil) -> Response {
        var headers: HTTPFields = [.contentType: answer.contentType]
        if let type = answer.errorType { headers[HTTPField.Name("x-amzn-ErrorType")!] = type }
        return Response(
            status: status ?? HTTPResponse.Status(code: answer.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}
