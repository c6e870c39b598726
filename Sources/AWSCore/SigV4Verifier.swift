import Crypto
public import Foundation

/// Checks the AWS Signature Version 4 of a request a server received (header-based signing).
///
/// It parses the `Authorization` header, looks up the secret of its access key ID, checks the credential
/// scope (date, region, service, `aws4_request`) and the `X-Amz-Date` skew, then recomputes the signature
/// over the headers the client says it signed, exactly as ``SigV4Signer`` computes it, and compares.
///
/// ```swift
/// let verifier = SigV4Verifier(region: "us-east-1", service: "dynamodb") { keyID in keys[keyID] }
/// let caller = try verifier.verify(
///     SigV4Verifier.Request(method: "POST", path: "/", headers: headers, payloadHash: SigV4Signer.hexSHA256(body)),
///     now: Date())
/// // caller.accessKeyID is authenticated.
/// ```
///
/// - Important: like the signer's, the path and query items are *unescaped* (percent-decode what arrived once).
public struct SigV4Verifier: Sendable {
    /// A received request, as far as SigV4 covers it.
    public struct Request: Sendable {
        /// The HTTP method, e.g. `POST`.
        public var method: String
        /// The unescaped path, e.g. `/`.
        public var path: String
        /// The unescaped query items, in any order.
        public var query: [(name: String, value: String)]
        /// Every header received, in order; duplicate names allowed.
        public var headers: [(name: String, value: String)]
        /// The lower-case hex SHA-256 of the body (``SigV4Signer/hexSHA256(_:)``).
        public var payloadHash: String

        /// Creates a received request.
        /// - Parameters:
        ///   - method: The HTTP method.
        ///   - path: The unescaped path; default `/`.
        ///   - query: The unescaped query items; default none.
        ///   - headers: Every header received.
        ///   - payloadHash: The hex SHA-256 of the body.
        public init(
            method: String,
            path: String = "/",
            query: [(name: String, value: String)] = [],
            headers: [(name: String, value: String)],
            payloadHash: String
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// Who signed a request that verified.
    public struct Caller: Sendable, Hashable {
        /// The access key ID of the signature.
        public var accessKeyID: String
    }

    /// The region requests must be signed for.
    public var region: String
    /// The service signing name requests must be signed for, e.g. `dynamodb`.
    public var service: String
    /// How far `X-Amz-Date` may be from the server's clock. Default 5 minutes, as AWS allows.
    public var maxSkew: TimeInterval
    let credentials: @Sendable (String) -> AWSCredentials?

    /// Creates a verifier.
    /// - Parameters:
    ///   - region: The region requests must be signed for.
    ///   - service: The service signing name.
    ///   - maxSkew: The largest accepted distance between `X-Amz-Date` and now, in seconds; default 300.
    ///   - credentials: Finds the credentials of an access key ID, or `nil` for an unknown key. A session token, when
    ///     the credentials have one, must arrive in `X-Amz-Security-Token`.
    public init(
        region: String,
        service: String,
        maxSkew: TimeInterval = 300,
        credentials: @escaping @Sendable (_ accessKeyID: String) -> AWSCredentials?
    ) {
        self.region = region
        self.service = service
        self.maxSkew = maxSkew
        self.credentials = credentials
    }

    /// Verifies a request's signature.
    /// - Parameters:
    ///   - request: The request as received.
    ///   - now: The server's time, for the skew check.
    /// - Returns: Who signed it.
    /// - Throws: ``SigV4VerificationError`` saying what is wrong.
    public func verify(_ request: Request, now: Date) throws(SigV4VerificationError) -> Caller {
        func header(_ name: String) -> [String] {
            request.headers.filter { $0.name.lowercased() == name }.map(\.value)
        }
        guard let authorizationValue = header("authorization").first else {
            throw SigV4VerificationError(code: .missingAuthorization, message: "The request has no Authorization header. Sign it with SigV4.")
        }
        let authorization = try SigV4Authorization(parsing: authorizationValue)
        guard let amzDate = header("x-amz-date").first.map(SigV4Signer.trimmed) else {
            throw SigV4VerificationError(code: .missingDate, message: "The request has no X-Amz-Date header; SigV4 signs with it.")
        }
        guard let signedAt = SigV4Authorization.date(amzDate: amzDate) else {
            throw SigV4VerificationError(code: .missingDate, message: "X-Amz-Date '\(amzDate)' is not a yyyyMMdd'T'HHmmss'Z' time.")
        }
        let scope = authorization.scope
        guard scope.date == String(amzDate.prefix(8)), scope.region == region, scope.service == service, scope.terminator == "aws4_request"
        else {
            throw SigV4VerificationError(
                code: .invalidScope,
                message: "The credential scope \(scope.date)/\(scope.region)/\(scope.service)/\(scope.terminator) does not match "
                    + "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request. Sign for this region and service."
            )
        }
        guard abs(signedAt.timeIntervalSince(now)) <= maxSkew else {
            throw SigV4VerificationError(
                code: .requestTimeSkewed,
                message:
                    "X-Amz-Date \(amzDate) is more than \(Int(maxSkew)) s from the server's time \(SigV4Signer.amzDate(now)). Fix the client's clock."
            )
        }
        for required in ["host", "x-amz-date"] where !authorization.signedHeaders.contains(required) {
            throw SigV4VerificationError(code: .malformedAuthorization, message: "SignedHeaders must include \(required).")
        }
        guard let found = credentials(scope.accessKeyID) else {
            throw SigV4VerificationError(code: .unknownAccessKey, message: "The access key ID \(scope.accessKeyID) is not known here.")
        }
        if let token = found.sessionToken, header("x-amz-security-token").first != token {
            throw SigV4VerificationError(code: .unknownAccessKey, message: "The session token of \(scope.accessKeyID) is missing or wrong.")
        }
        let signedNames = Set(authorization.signedHeaders)
        let signedHeaders = request.headers.filter { signedNames.contains($0.name.lowercased()) }
        for name in authorization.signedHeaders where !signedHeaders.contains(where: { $0.name.lowercased() == name }) {
            throw SigV4VerificationError(code: .malformedAuthorization, message: "Signed header \(name) is not in the request.")
        }
        let canonical = SigV4Signer.canonicalRequest(
            SigV4Signer.Request(method: request.method, path: request.path, query: request.query, headers: signedHeaders),
            payloadHash: request.payloadHash
        )
        let credentialScope = "\(scope.date)/\(scope.region)/\(scope.service)/\(scope.terminator)"
        let stringToSign = [SigV4Signer.algorithm, amzDate, credentialScope, SigV4Signer.hexSHA256(Data(canonical.0.utf8))].joined(separator: "\n")
        let key = SigV4Signer(credentials: found, region: region, service: service).signingKey(dateStamp: scope.date)
        let expected = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key).hexString
        guard Self.constantTimeEqual(expected, authorization.signature) else {
            throw SigV4VerificationError(
                code: .signatureMismatch,
                message: "The request signature does not match. Check the secret access key and that nothing changed the signed headers or the body."
            )
        }
        return Caller(accessKeyID: scope.accessKeyID)
    }

    private static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
