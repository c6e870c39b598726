public import AWSCore
public import Foundation
public import Hummingbird

/// Checks the SigV4 signature of API and ingest requests against configured key pairs (`--auth sigv4`).
///
/// The region is not checked against a configured one (the archive is not regional): the verifier takes it
/// from the request's credential scope. The service must be one the archive answers as: `dynamodb`
/// (DynamoDB Streams), `kinesis`, or `streamvault` (ingest, e.g. `curl --aws-sigv4 aws:amz:us-east-1:streamvault`).
public struct RequestAuthenticator: Sendable {
    /// The signing names accepted.
    public static let services: Set<String> = ["dynamodb", "kinesis", "streamvault"]

    private let keys: [String: AWSCredentials]
    private let now: @Sendable () -> Date

    /// Creates an authenticator.
    /// - Parameters:
    ///   - keys: The accepted key pairs.
    ///   - now: The server's time, for the signature's skew check.
    public init(keys: [AWSCredentials], now: @escaping @Sendable () -> Date = { Date() }) {
        self.keys = Dictionary(keys.map { ($0.accessKeyID, $0) }, uniquingKeysWith: { first, _ in first })
        self.now = now
    }

    /// Reads an access keys file: one `ACCESS_KEY_ID SECRET_ACCESS_KEY` pair per line (`#` starts a comment).
    /// - Throws: ``APIError`` naming the line that is not a pair, or when the file has none.
    public static func keys(fromFile path: String) throws -> [AWSCredentials] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw APIError(code: .validation, message: "Cannot read the access keys file '\(path)'. Pass a readable file to --access-keys.")
        }
        var keys: [AWSCredentials] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == ":" })
            if parts.isEmpty { continue }
            guard parts.count == 2 else {
                throw APIError(
                    code: .validation,
                    message:
                        "\(path):\(index + 1): expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY', found \(parts.count) field\(parts.count == 1 ? "" : "s")."
                )
            }
            keys.append(AWSCredentials(accessKeyID: String(parts[0]), secretAccessKey: String(parts[1])))
        }
        guard !keys.isEmpty else {
            throw APIError(
                code: .validation,
                message: "The access keys file '\(path)' holds no key pair. Add lines 'ACCESS_KEY_ID SECRET_ACCESS_KEY'."
            )
        }
        return keys
    }

    /// Verifies `request` (whose body was collected into `body`).
    /// - Throws: ``APIError`` with code `accessDenied` and AWS's error type for the failure.
    public func verify(_ request: Request, body: ByteBuffer) throws(APIError) {
        var headers: [(name: String, value: String)] = []
        if let authority = request.head.authority { headers.append(("host", authority)) }
        for field in request.headers { headers.append((field.name.canonicalName, field.value)) }
        let authorization = headers.first { $0.name == "authorization" }?.value ?? ""
        let (region, service) = Self.scope(of: authorization)
        guard authorization.isEmpty || Self.services.contains(service) else {
            throw APIError(
                code: .accessDenied,
                message: "Sign requests for service 'dynamodb', 'kinesis' or 'streamvault' (the signature names '\(service)').",
                type: "InvalidSignatureException"
            )
        }
        let verifier = SigV4Verifier(region: region, service: authorization.isEmpty ? "dynamodb" : service) { [keys] id in keys[id] }
        let query = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
        let hash = body.withUnsafeReadableBytes { SigV4Signer.hexSHA256(Data($0)) }
        do {
            _ = try verifier.verify(
                SigV4Verifier.Request(method: request.method.rawValue, path: request.uri.path, query: query, headers: headers, payloadHash: hash),
                now: now()
            )
        } catch {
            throw APIError(code: .accessDenied, message: error.message, type: error.awsErrorType)
        }
    }

    /// The region and service of a SigV4 `Authorization` header's credential scope (empty when absent).
    static func scope(of authorization: String) -> (region: String, service: String) {
        guard let range = authorization.range(of: "Credential=") else { return ("", "") }
        let credential = authorization[range.upperBound...].prefix { $0 != "," && $0 != " " }
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5 else { return ("", "") }
        return (String(parts[2]), String(parts[3]))
    }
}
