public import AsyncHTTPClient
import Crypto
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// Calls S3 (or an S3-compatible store) over REST with path-style addressing (`<endpoint>/<bucket>/<key>`),
/// signed with SigV4, so `--endpoint-url http://127.0.0.1:port` works.
///
/// Uploads carry an end-to-end checksum: `Content-MD5`, `x-amz-checksum-sha256` and the signed
/// `x-amz-content-sha256` payload hash (AWS rejects a body that does not match them), and the answer's ETag is
/// checked against the MD5 of what was sent (a store that does not check the headers still gets caught).
/// Large bodies go up in parts (``Configuration/partSize``). Throttling (`SlowDown`), 5xx, bad digests and
/// connection failures are retried with ``RetryPolicy``'s jittered backoff.
///
/// ```swift
/// let s3 = S3Client(environment: aws, httpClient: http)
/// let put = try await s3.upload(bucket: "archive", key: "orders/segments/a.ndjson.zst", body: bytes)
/// let block = try await s3.getObject(bucket: "archive", key: "orders/segments/a.ndjson.zst", range: 4096...8191)
/// ```
public struct S3Client: Sendable {
    /// Limits, part sizes and the retry policy.
    public struct Configuration: Sendable {
        /// The timeout of one HTTP attempt. Default 120 s (an 8 MiB part on a slow link).
        public var timeout: Duration
        /// When to retry. Default ``RetryPolicy``'s defaults.
        public var retry: RetryPolicy
        /// The size of a multipart upload's parts (S3's minimum is 5 MiB, except the last). Default 8 MiB.
        public var partSize: Int
        /// Bodies larger than this go up as a multipart upload. Default 16 MiB.
        public var multipartThreshold: Int
        /// The largest answer accepted. Default 1 GiB.
        public var maxResponseBytes: Int

        /// Creates a configuration; every parameter has the default described on its property.
        public init(
            timeout: Duration = .seconds(120),
            retry: RetryPolicy = RetryPolicy(),
            partSize: Int = 8 << 20,
            multipartThreshold: Int = 16 << 20,
            maxResponseBytes: Int = 1 << 30
        ) {
            self.timeout = timeout
            self.retry = retry
            self.partSize = partSize
            self.multipartThreshold = multipartThreshold
            self.maxResponseBytes = maxResponseBytes
        }
    }

    /// What a successful upload returned.
    public struct PutResult: Sendable, Equatable {
        /// The object's ETag without quotes (the MD5 of a single PUT; `md5-of-part-md5s-N` after multipart).
        public var etag: String
        /// How many parts it went up in (1 for a single PUT).
        public var parts: Int
    }

    /// An object's metadata (HEAD, or one entry of a listing).
    public struct ObjectInfo: Sendable, Equatable {
        /// The key.
        public var key: String
        /// Its length in bytes.
        public var size: Int64
        /// The ETag without quotes.
        public var etag: String
        /// User metadata (`x-amz-meta-<name>`), lower-case names without the prefix (HEAD only).
        public var metadata: [String: String]
    }

    /// A multipart upload that was started and neither completed nor aborted.
    public struct PendingUpload: Sendable, Equatable {
        public var key: String
        public var uploadID: String

        public init(key: String, uploadID: String) {
            self.key = key
            self.uploadID = uploadID
        }
    }

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
    ///   - environment: Credentials, region and endpoint (`AWS_ENDPOINT_URL_S3` or `--endpoint-url` for a local store).
    ///   - httpClient: The HTTP client; its lifetime is the caller's.
    ///   - configuration: Timeouts, part sizes and retries.
    ///   - clock: The clock that backoff sleeps on.
    ///   - logger: Where to log (debug: retries; trace: calls).
    ///   - now: The signing time source.
    ///   - jitter: Random values in `0..<1` for backoff.
    public init<C: Clock>(
        environment: AWSEnvironment,
        httpClient: HTTPClient,
        configuration: Configuration = Configuration(),
        clock: C = ContinuousClock(),
        logger: Logger = Logger(label: "streamvault.s3", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = { Date() },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) where C.Duration == Duration {
        self.environment = environment
        self.httpClient = httpClient
        self.configuration = configuration
        self.sleep = { duration in try await clock.sleep(for: duration) }
        self.logger = logger
        self.now = now
        self.jitter = jitter
    }

    // MARK: Buckets

    /// Creates a bucket (tests, benchmarks and first-time setup); an existing bucket of ours is fine.
    public func createBucket(_ bucket: String) async throws {
        var body = Data()
        if environment.region != "us-east-1" {
            body = Data(
                "<CreateBucketConfiguration><LocationConstraint>\(environment.region)</LocationConstraint></CreateBucketConfiguration>".utf8
            )
        }
        do {
            _ = try await send("CreateBucket", method: .PUT, bucket: bucket, key: nil, body: body)
        } catch let error as AWSError where error.awsType == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    // MARK: Uploads

    /// Uploads `body` to `key`: one PUT up to ``Configuration/multipartThreshold``, else a multipart upload
    /// (aborted if it fails). Every part is checksummed end to end and its ETag checked.
    /// - Parameter metadata: User metadata (`x-amz-meta-<name>`), e.g. the whole object's SHA-256.
    public func upload(bucket: String, key: String, body: Data, metadata: [String: String] = [:]) async throws -> PutResult {
        if body.count <= configuration.multipartThreshold {
            return try await putObject(bucket: bucket, key: key, body: body, metadata: metadata)
        }
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key, metadata: metadata)
        do {
            var parts: [(number: Int, etag: String)] = []
            var start = body.startIndex
            var number = 1
            while start < body.endIndex {
                let end = min(start + configuration.partSize, body.endIndex)
                let etag = try await uploadPart(bucket: bucket, key: key, uploadID: uploadID, partNumber: number, body: body[start..<end])
                parts.append((number, etag))
                start = end
                number += 1
            }
            let etag = try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: parts)
            return PutResult(etag: etag, parts: parts.count)
        } catch {
            // Best effort: a failed abort leaves parts that the next start's abortPendingUploads finds.
            try? await abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            throw error
        }
    }

    /// One PUT with `Content-MD5`, `x-amz-checksum-sha256` and the signed payload hash; checks the returned ETag.
    public func putObject(bucket: String, key: String, body: Data, metadata: [String: String] = [:]) async throws -> PutResult {
        let md5 = Data(Insecure.MD5.hash(data: body))
        let sha = Data(SHA256.hash(data: body))
        var headers: [(name: String, value: String)] = [
            ("Content-MD5", md5.base64EncodedString()),
            ("x-amz-checksum-sha256", sha.base64EncodedString()),
            ("x-amz-content-sha256", sha.hexString),
            ("Content-Type", "application/octet-stream"),
        ]
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { headers.append(("x-amz-meta-\(name)", value)) }
        let answer = try await send("PutObject", method: .PUT, bucket: bucket, key: key, headers: headers, body: body) { answer in
            try Self.requireETag(answer, equals: md5.hexString, operation: "PutObject", key: key)
        }
        return PutResult(etag: Self.etag(answer.headers) ?? md5.hexString, parts: 1)
    }

    /// Starts a multipart upload; returns its upload id.
    public func createMultipartUpload(bucket: String, key: String, metadata: [String: String] = [:]) async throws -> String {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/octet-stream")]
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { headers.append(("x-amz-meta-\(name)", value)) }
        let answer = try await send(
            "CreateMultipartUpload",
            method: .POST,
            bucket: bucket,
            key: key,
            query: [("uploads", "")],
            headers: headers
        )
        guard let id = S3XML.value("UploadId", in: answer.text[...]), !id.isEmpty else {
            throw AWSError(code: .invalidResponse, message: "CreateMultipartUpload for '\(key)' answered without an UploadId.")
        }
        return id
    }

    /// Uploads one part (with `Content-MD5` and the signed payload hash); checks and returns its ETag.
    public func uploadPart(bucket: String, key: String, uploadID: String, partNumber: Int, body: Data) async throws -> String {
        let md5 = Data(Insecure.MD5.hash(data: body))
        let answer = try await send(
            "UploadPart",
            method: .PUT,
            bucket: bucket,
            key: key,
            query: [("partNumber", String(partNumber)), ("uploadId", uploadID)],
            headers: [("Content-MD5", md5.base64EncodedString())],
            body: Data(body)
        ) { answer in
            try Self.requireETag(answer, equals: md5.hexString, operation: "UploadPart \(partNumber)", key: key)
        }
        return Self.etag(answer.headers) ?? md5.hexString
    }

    /// Completes a multipart upload; checks that the ETag is the one the parts add up to.
    public func completeMultipartUpload(bucket: String, key: String, uploadID: String, parts: [(number: Int, etag: String)]) async throws -> String {
        var xml = "<CompleteMultipartUpload>"
        for part in parts { xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\"\(part.etag)\"</ETag></Part>" }
        xml += "</CompleteMultipartUpload>"
        var joined = Data()
        for part in parts { joined.append(Self.bytes(fromHex: part.etag)) }
        let expected = Data(Insecure.MD5.hash(data: joined)).hexString + "-\(parts.count)"
        let answer = try await send(
            "CompleteMultipartUpload",
            method: .POST,
            bucket: bucket,
            key: key,
            query: [("uploadId", uploadID)],
            body: Data(xml.utf8)
        )
        guard let etag = S3XML.value("ETag", in: answer.text[...]).map(Self.unquoted) else {
            throw AWSError(code: .invalidResponse, message: "CompleteMultipartUpload for '\(key)' answered without an ETag.")
        }
        guard etag == expected else {
            throw AWSError(
                code: .invalidResponse,
                message: "CompleteMultipartUpload for '\(key)' answered ETag \(etag), but the parts sent add up to \(expected): "
                    + "the store assembled something else. The object must not be trusted; upload it again.",
                awsType: "ChecksumMismatch"
            )
        }
        return etag
    }

    /// Aborts a multipart upload (its parts are deleted).
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        do {
            _ = try await send("AbortMultipartUpload", method: .DELETE, bucket: bucket, key: key, query: [("uploadId", uploadID)])
        } catch let error as AWSError where error.code == .resourceNotFound {
            return
        }
    }

    /// Multipart uploads under `prefix` that were started and never completed or aborted (first 1000).
    public func listMultipartUploads(bucket: String, prefix: String) async throws -> [PendingUpload] {
        let answer = try await send("ListMultipartUploads", method: .GET, bucket: bucket, key: nil, query: [("uploads", ""), ("prefix", prefix)])
        return S3XML.elements("Upload", in: answer.text[...]).compactMap { upload in
            guard let key = S3XML.value("Key", in: upload), let id = S3XML.value("UploadId", in: upload) else { return nil }
            return PendingUpload(key: key, uploadID: id)
        }
    }

    // MARK: Reads

    /// Reads an object, or the bytes `range` of it (inclusive, `Range: bytes=a-b`; the answer must be a 206 whose
    /// `Content-Range` starts at `a` and holds exactly the bytes asked for).
    public func getObject(bucket: String, key: String, range: ClosedRange<Int64>? = nil) async throws -> [UInt8] {
        var headers: [(name: String, value: String)] = []
        if let range { headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        let answer = try await send("GetObject", method: .GET, bucket: bucket, key: key, headers: headers) { answer in
            guard let range else { return }
            let expected = Int(range.upperBound - range.lowerBound + 1)
            let contentRange = answer.headers.first(name: "Content-Range") ?? ""
            guard answer.status == 206, contentRange.hasPrefix("bytes \(range.lowerBound)-\(range.upperBound)/"), answer.body.count == expected
            else {
                throw AWSError(
                    code: .invalidResponse,
                    message: "GetObject '\(key)' bytes \(range.lowerBound)-\(range.upperBound) answered HTTP \(answer.status), Content-Range "
                        + "'\(contentRange)' and \(answer.body.count) bytes: the object is shorter than the catalog says, or the store ignores Range.",
                    httpStatus: answer.status
                )
            }
        }
        return answer.body
    }

    /// An object's size, ETag and metadata, or `nil` if it does not exist.
    public func headObject(bucket: String, key: String) async throws -> ObjectInfo? {
        do {
            let answer = try await send("HeadObject", method: .HEAD, bucket: bucket, key: key)
            var metadata: [String: String] = [:]
            for header in answer.headers where header.name.lowercased().hasPrefix("x-amz-meta-") {
                metadata[String(header.name.lowercased().dropFirst("x-amz-meta-".count))] = header.value
            }
            let size = Int64(answer.headers.first(name: "Content-Length") ?? "") ?? -1
            return ObjectInfo(key: key, size: size, etag: Self.etag(answer.headers) ?? "", metadata: metadata)
        } catch let error as AWSError where error.code == .resourceNotFound {
            return nil
        }
    }

    /// One page of ListObjectsV2: the objects under `prefix` (key order, after `startAfter` if given) and the token
    /// for the next page.
    public func listObjectsPage(
        bucket: String,
        prefix: String,
        startAfter: String? = nil,
        continuationToken: String? = nil,
        maxKeys: Int = 1000
    ) async throws -> (objects: [ObjectInfo], next: String?) {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let startAfter { query.append(("start-after", startAfter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let answer = try await send("ListObjectsV2", method: .GET, bucket: bucket, key: nil, query: query)
        let text = answer.text[...]
        var objects: [ObjectInfo] = []
        for entry in S3XML.elements("Contents", in: text) {
            guard let key = S3XML.value("Key", in: entry) else { continue }
            let size = Int64(S3XML.value("Size", in: entry) ?? "") ?? -1
            let etag = S3XML.value("ETag", in: entry).map(Self.unquoted) ?? ""
            objects.append(ObjectInfo(key: key, size: size, etag: etag, metadata: [:]))
        }
        let truncated = S3XML.value("IsTruncated", in: text) == "true"
        let next = truncated ? S3XML.value("NextContinuationToken", in: text) : nil
        if truncated && next == nil {
            throw AWSError(code: .invalidResponse, message: "ListObjectsV2 of '\(prefix)' says it is truncated but gives no NextContinuationToken.")
        }
        return (objects, next)
    }

    /// Every object under `prefix` (after `startAfter` if given), all pages.
    public func listObjects(bucket: String, prefix: String, startAfter: String? = nil, pageSize: Int = 1000) async throws -> [ObjectInfo] {
        var all: [ObjectInfo] = []
        var token: String?
        repeat {
            let page = try await listObjectsPage(bucket: bucket, prefix: prefix, startAfter: startAfter, continuationToken: token, maxKeys: pageSize)
            all += page.objects
            token = page.next
        } while token != nil
        return all
    }

    // MARK: Deletes

    /// Deletes an object (deleting a missing key succeeds, as in S3).
    public func deleteObject(bucket: String, key: String) async throws {
        _ = try await send("DeleteObject", method: .DELETE, bucket: bucket, key: key)
    }

    /// Deletes objects in batches of 1000 (DeleteObjects); throws naming the first key S3 could not delete.
    public func deleteObjects(bucket: String, keys: [String]) async throws {
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + 1000, keys.count)]
            var xml = "<Delete><Quiet>true</Quiet>"
            for key in batch { xml += "<Object><Key>\(S3XML.escape(key))</Key></Object>" }
            xml += "</Delete>"
            let body = Data(xml.utf8)
            let answer = try await send(
                "DeleteObjects",
                method: .POST,
                bucket: bucket,
                key: nil,
                query: [("delete", "")],
                headers: [("Content-MD5", Data(Insecure.MD5.hash(data: body)).base64EncodedString())],
                body: body
            )
            if let failed = S3XML.elements("Error", in: answer.text[...]).first {
                let key = S3XML.value("Key", in: failed) ?? "?"
                let code = S3XML.value("Code", in: failed) ?? "?"
                throw AWSError(
                    code: S3ErrorAnswer.code(forS3Code: code, httpStatus: 500),
                    message: "DeleteObjects could not delete '\(key)': \(S3XML.value("Message", in: failed) ?? code). Run again.",
                    awsType: code
                )
            }
            start += batch.count
        }
    }

    // MARK: Transport

    /// A successful answer.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends one request with retries; `check` may reject a 2xx answer (thrown errors with a retryable code or
    /// awsType `ChecksumMismatch` are retried like any other).
    func send(
        _ operation: String,
        method: HTTPMethod,
        bucket: String,
        key: String?,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        body: Data = Data(),
        check: @Sendable (Answer) throws -> Void = { _ in }
    ) async throws -> Answer {
        var attempt = 1
        while true {
            try Task.checkCancellation()
            do {
                let answer = try await sendOnce(operation, method: method, bucket: bucket, key: key, query: query, headers: headers, body: body)
                try check(answer)
                return answer
            } catch let error as AWSError {
                let retryable = error.isRetryable || S3ErrorAnswer.retryableTypes.contains(error.awsType ?? "")
                let decision: RetryPolicy.Decision =
                    retryable
                    ? configuration.retry.decision(
                        after: AWSError(code: error.code == .throttling ? .throttling : .serviceUnavailable, message: error.message),
                        attempt: attempt,
                        jitter: jitter()
                    )
                    : .fail
                switch decision {
                case .fail:
                    throw error
                case .retry(let delay):
                    logger.debug(
                        "Retrying S3 call",
                        metadata: [
                            "sv.aws.operation": "\(operation)", "sv.aws.attempt": "\(attempt)", "sv.aws.error": "\(error.awsType ?? "\(error.code)")",
                            "sv.aws.delay": "\(delay)",
                        ]
                    )
                    try await sleep(delay)
                    attempt += 1
                }
            }
        }
    }

    /// The URL and signed headers of a request (path-style: `<endpoint>/<bucket>/<key>`).
    func prepare(
        method: HTTPMethod,
        bucket: String,
        key: String?,
        query: [(name: String, value: String)],
        headers extraHeaders: [(name: String, value: String)],
        body: Data
    ) -> (url: String, headers: [(name: String, value: String)]) {
        let endpoint = environment.endpoint(for: .s3)
        let host = endpoint.host ?? ""
        let defaultPort = endpoint.scheme?.lowercased() == "https" ? 443 : 80
        let hostHeader = endpoint.port.map { $0 == defaultPort ? host : "\(host):\($0)" } ?? host
        let path = "/" + bucket + (key.map { "/" + $0 } ?? "")
        var headers: [(name: String, value: String)] = [("Host", hostHeader)]
        // The signed payload hash; a caller that hashed the body for its checksum passes it (one SHA-256 pass per body).
        if !extraHeaders.contains(where: { $0.name.lowercased() == "x-amz-content-sha256" }) {
            headers.append(("x-amz-content-sha256", SigV4Signer.hexSHA256(body)))
        }
        headers += extraHeaders
        let signer = SigV4Signer(credentials: environment.credentials, region: environment.region, service: "s3")
        let signed = signer.sign(SigV4Signer.Request(method: method.rawValue, path: path, query: query, headers: headers, body: body), date: now())

        var base = endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let encodedPath =
            "/"
            + path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { SigV4Signer.uriEncode(String($0)) }
            .joined(separator: "/")
        let queryString = query.map { SigV4Signer.uriEncode($0.name) + "=" + SigV4Signer.uriEncode($0.value) }.joined(separator: "&")
        return (base + encodedPath + (queryString.isEmpty ? "" : "?" + queryString), signed.headers.filter { $0.name.lowercased() != "host" })
    }

    private func sendOnce(
        _ operation: String,
        method: HTTPMethod,
        bucket: String,
        key: String?,
        query: [(name: String, value: String)],
        headers extraHeaders: [(name: String, value: String)],
        body: Data
    ) async throws -> Answer {
        let endpoint = environment.endpoint(for: .s3)
        let prepared = prepare(method: method, bucket: bucket, key: key, query: query, headers: extraHeaders, body: body)
        var request = HTTPClientRequest(url: prepared.url)
        request.method = method
        for header in prepared.headers { request.headers.add(name: header.name, value: header.value) }
        if !body.isEmpty || method == .PUT || method == .POST {
            request.body = .bytes(ByteBuffer(bytes: body))
        }

        var logger = self.logger
        logger[metadataKey: "sv.aws.operation"] = "\(operation)"
        let timeout = TimeAmount.nanoseconds(AWSJSONClient.nanoseconds(configuration.timeout))
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            (response, bytes) = try await AWSJSONClient.withTimeout(configuration.timeout) { [httpClient, configuration, request, logger] in
                let response = try await httpClient.execute(request, timeout: timeout, logger: logger)
                let bytes = try await response.body.collect(upTo: configuration.maxResponseBytes)
                return (response, bytes)
            }
        } catch let error as CancellationError {
            throw error
        } catch is NIOTooManyBytesError {
            throw AWSError(code: .invalidResponse, message: "The \(operation) answer exceeded \(configuration.maxResponseBytes) bytes.")
        } catch {
            if Task.isCancelled { throw CancellationError() }
            let reason = error is AWSJSONClient.TimedOut ? "timed out after \(configuration.timeout)" : "failed: \(error)"
            throw AWSError(
                code: .connection,
                message: "The S3 \(operation) call to \(RedactedEndpoint(endpoint)) \(reason). Check the endpoint URL and the network."
            )
        }
        let status = Int(response.status.code)
        let answerBody = Array(bytes.readableBytesView)
        logger.trace("S3 call answered", metadata: ["sv.aws.status": "\(status)", "sv.aws.bytes": "\(answerBody.count)"])
        // CompleteMultipartUpload can fail after its 200 head: the error is then the body.
        if (200..<300).contains(status), !(operation == "CompleteMultipartUpload" && S3ErrorAnswer.isError(answerBody)) {
            return Answer(status: status, headers: response.headers, body: answerBody)
        }
        throw S3ErrorAnswer.decode(status: status, body: answerBody, operation: operation, key: key.map { "\(bucket)/\($0)" } ?? bucket)
    }

    private static func requireETag(_ answer: Answer, equals md5: String, operation: String, key: String) throws {
        guard let etag = etag(answer.headers) else { return }
        guard etag == md5 else {
            throw AWSError(
                code: .invalidResponse,
                message: "\(operation) of '\(key)' stored ETag \(etag), but the bytes sent have MD5 \(md5): the body was changed on the way.",
                awsType: "ChecksumMismatch"
            )
        }
    }

    static func etag(_ headers: HTTPHeaders) -> String? {
        headers.first(name: "ETag").map(unquoted)
    }

    static func unquoted(_ text: String) -> String {
        var text = Substring(text)
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.hasPrefix("\"") { text = text.dropFirst() }
        if text.hasSuffix("\"") { text = text.dropLast() }
        return String(text)
    }

    static func bytes(fromHex hex: String) -> Data {
        var data = Data()
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexValue(high), let l = hexValue(low) else { return Data() }
            data.append(h << 4 | l)
        }
        return data
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}
