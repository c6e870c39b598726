import Crypto
public import Foundation

/// Signs HTTP requests with AWS Signature Version 4 (header-based signing).
///
/// The signer is a pure value: give it credentials, a region, a service name and the request's
/// date, and it produces the canonical request, the string to sign and the `Authorization`
/// header, following <https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>.
/// It is tested against AWS's published SigV4 test suite.
///
/// ```swift
/// let signer = SigV4Signer(credentials: creds, region: "us-east-1", service: "dynamodb")
/// let signed = signer.sign(SigV4Signer.Request(method: "POST", path: "/", headers: headers, body: body), date: .now)
/// // signed.headers now carries X-Amz-Date, X-Amz-Security-Token (if any) and Authorization.
/// ```
///
/// - Important: the path and query items of ``Request`` are *unescaped*; the signer percent-encodes them
///   once (RFC 3986 unreserved characters stay as they are), which is what every AWS service but S3 expects.
public struct SigV4Signer: Sendable {
    /// The signing algorithm name that starts the string to sign and the `Authorization` header.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// The credentials that sign. Their secrets never leave this type except as HMAC keys.
    public var credentials: AWSCredentials
    /// The AWS region, e.g. `us-east-1`.
    public var region: String
    /// The service's signing name, e.g. `dynamodb` (also used for DynamoDB Streams) or `kinesis`.
    public var service: String

    /// Creates a signer.
    /// - Parameters:
    ///   - credentials: The credentials to sign with.
    ///   - region: The region of the endpoint.
    ///   - service: The service's signing name.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// An HTTP request to sign.
    public struct Request: Sendable {
        /// The HTTP method, e.g. `POST`.
        public var method: String
        /// The unescaped path, e.g. `/` or `/example space/`.
        public var path: String
        /// The unescaped query items, in any order (the signer sorts them).
        public var query: [(name: String, value: String)]
        /// The headers in the order they are sent; duplicate names are allowed. `Host` must be present.
        public var headers: [(name: String, value: String)]
        /// The request body.
        public var body: Data

        /// Creates a request to sign.
        /// - Parameters:
        ///   - method: The HTTP method.
        ///   - path: The unescaped path; defaults to `/`.
        ///   - query: The unescaped query items; defaults to none.
        ///   - headers: The headers, `Host` included.
        ///   - body: The body; defaults to empty.
        public init(
            method: String,
            path: String = "/",
            query: [(name: String, value: String)] = [],
            headers: [(name: String, value: String)],
            body: Data = Data()
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    /// Everything signing produced, for sending and for tests.
    public struct SignedRequest: Sendable {
        /// The request's headers plus `X-Amz-Date`, `X-Amz-Security-Token` (session credentials) and `Authorization`.
        public var headers: [(name: String, value: String)]
        /// The canonical request (step 1 of SigV4).
        public var canonicalRequest: String
        /// The string to sign (step 2).
        public var stringToSign: String
        /// The hex signature (step 4).
        public var signature: String
        /// The complete `Authorization` header value.
        public var authorization: String
    }

    /// Signs a request.
    ///
    /// The payload hash is the `x-amz-content-sha256` header when the request has one (S3), else the body's SHA-256.
    /// Adds `X-Amz-Date` (from `date`) unless the request already has one, and `X-Amz-Security-Token`
    /// when the credentials carry a session token and the request doesn't have the header yet. Both
    /// are signed. Then computes the `Authorization` header.
    /// - Parameters:
    ///   - request: The request to sign.
    ///   - date: The signing time; AWS rejects requests more than 5 minutes off its clock.
    /// - Returns: The signed headers and the intermediate strings.
    public func sign(_ request: Request, date: Date) -> SignedRequest {
        var request = request
        let amzDate: String
        if let existing = request.headers.first(where: { $0.name.lowercased() == "x-amz-date" }) {
            amzDate = Self.trimmed(existing.value)
        } else {
            amzDate = Self.amzDate(date)
            request.headers.append((name: "X-Amz-Date", value: amzDate))
        }
        if let token = credentials.sessionToken, !request.headers.contains(where: { $0.name.lowercased() == "x-amz-security-token" }) {
            request.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        let dateStamp = String(amzDate.prefix(8))
        let scope = "\(dateStamp)/\(region)/\(service)/aws4_request"
        // S3 requests carry their payload hash in `x-amz-content-sha256`, which is what the signature covers: the caller
        // hashed the body already (once, for its checksum too), so it is not hashed again.
        let payloadHash = request.headers.first { $0.name.lowercased() == "x-amz-content-sha256" }.map { Self.trimmed($0.value) }
        let (canonical, signedHeaders) = Self.canonicalRequest(request, payloadHash: payloadHash ?? Self.hexSHA256(request.body))
        let stringToSign = [Self.algorithm, amzDate, scope, Self.hexSHA256(Data(canonical.utf8))].joined(separator: "\n")
        let key = signingKey(dateStamp: dateStamp)
        let signature = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key).hexString
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        var headers = request.headers
        headers.append((name: "Authorization", value: authorization))
        return SignedRequest(
            headers: headers,
            canonicalRequest: canonical,
            stringToSign: stringToSign,
            signature: signature,
            authorization: authorization
        )
    }

    /// Derives the signing key: HMAC chain over date, region, service and `aws4_request`.
    func signingKey(dateStamp: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ string: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(string.utf8), using: key)))
        }
        let secret = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        return hmac(hmac(hmac(hmac(secret, dateStamp), region), service), "aws4_request")
    }

    /// Builds the canonical request and the signed-headers list.
    static func canonicalRequest(_ request: Request, payloadHash: String) -> (String, String) {
        var grouped: [String: [String]] = [:]
        for header in request.headers {
            grouped[header.name.lowercased(), default: []].append(trimmed(header.value))
        }
        let names = grouped.keys.sorted()
        var canonicalHeaders = ""
        for name in names {
            let values: [String] = grouped[name] ?? []
            canonicalHeaders += name + ":" + values.joined(separator: ",") + "\n"
        }
        let signedHeaders = names.joined(separator: ";")
        let encoded: [(String, String)] = request.query.map { (uriEncode($0.name), uriEncode($0.value)) }
        let sortedQuery = encoded.sorted { lhs, rhs in lhs.0 == rhs.0 ? lhs.1 < rhs.1 : lhs.0 < rhs.0 }
        let query: String = sortedQuery.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
        let canonical: String = [
            request.method.uppercased(),
            canonicalPath(request.path),
            query,
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        return (canonical, signedHeaders)
    }

    /// Normalizes the path (drops `.` segments, resolves `..`, collapses repeated slashes) and encodes each segment.
    static func canonicalPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let trailingSlash = path.hasSuffix("/") && !segments.isEmpty
        return "/" + segments.map { uriEncode(String($0)) }.joined(separator: "/") + (trailingSlash ? "/" : "")
    }

    /// Percent-encodes everything but the RFC 3986 unreserved characters, with upper-case hex.
    static func uriEncode(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39: true  // A-Z a-z 0-9
        case 0x2D, 0x2E, 0x5F, 0x7E: true  // - . _ ~
        default: false
        }
    }

    /// Trims a header value and collapses runs of spaces into one, as SigV4 requires.
    static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Formats a date as `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let string = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - string.count)) + string
        }
        return "\(pad(c.year, 4))\(pad(c.month, 2))\(pad(c.day, 2))T\(pad(c.hour, 2))\(pad(c.minute, 2))\(pad(c.second, 2))Z"
    }

    /// The lower-case hex SHA-256 of some bytes (the payload hash).
    public static func hexSHA256(_ data: Data) -> String {
        SHA256.hash(data: data).hexString
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
