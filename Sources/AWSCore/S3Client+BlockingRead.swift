import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension S3Client {
    /// A ranged GET for synchronous callers (the block readers of replay, export and serve), with the same checks and
    /// retries as ``getObject(bucket:key:range:)``.
    ///
    /// It waits on AsyncHTTPClient's event-loop future, so the request runs on NIO's threads, never on the
    /// caller's: call it from a thread that is not a NIO event loop.
    /// - Parameter into: Replaced by exactly the bytes of `range`.
    public func getObjectBlocking(bucket: String, key: String, range: ClosedRange<Int64>, into buffer: inout [UInt8]) throws {
        var attempt = 1
        while true {
            do {
                try getOnceBlocking(bucket: bucket, key: key, range: range, into: &buffer)
                return
            } catch let error as AWSError {
                let decision = error.isRetryable ? configuration.retry.decision(after: error, attempt: attempt, jitter: jitter()) : .fail
                guard case .retry(let delay) = decision else { throw error }
                let (seconds, attoseconds) = delay.components
                usleep(UInt32(clamping: seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
                attempt += 1
            }
        }
    }

    private func getOnceBlocking(bucket: String, key: String, range: ClosedRange<Int64>, into buffer: inout [UInt8]) throws {
        let prepared = prepare(
            method: .GET,
            bucket: bucket,
            key: key,
            query: [],
            headers: [("Range", "bytes=\(range.lowerBound)-\(range.upperBound)")],
            body: Data()
        )
        let response: HTTPClient.Response
        do {
            var headers = HTTPHeaders()
            for header in prepared.headers { headers.add(name: header.name, value: header.value) }
            let request = try HTTPClient.Request(url: prepared.url, method: .GET, headers: headers)
            let (seconds, attoseconds) = configuration.timeout.components
            let deadline = NIODeadline.now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            response = try httpClient.execute(request: request, deadline: deadline).wait()
        } catch {
            throw AWSError(
                code: .connection,
                message: "The S3 GetObject call for '\(key)' to \(RedactedEndpoint(environment.endpoint(for: .s3))) failed: \(error). "
                    + "Check the endpoint URL and the network."
            )
        }
        let status = Int(response.status.code)
        let body = response.body.map { Array($0.readableBytesView) } ?? []
        guard (200..<300).contains(status) else {
            throw S3ErrorAnswer.decode(status: status, body: body, operation: "GetObject", key: "\(bucket)/\(key)")
        }
        let expected = Int(range.upperBound - range.lowerBound + 1)
        let contentRange = response.headers.first(name: "Content-Range") ?? ""
        guard status == 206, contentRange.hasPrefix("bytes \(range.lowerBound)-\(range.upperBound)/"), body.count == expected else {
            throw AWSError(
                code: .invalidResponse,
                message: "GetObject '\(key)' bytes \(range.lowerBound)-\(range.upperBound) answered HTTP \(status), Content-Range "
                    + "'\(contentRange)' and \(body.count) bytes: the object is shorter than the catalog says, or the store ignores Range.",
                httpStatus: status
            )
        }
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: body)
    }
}
