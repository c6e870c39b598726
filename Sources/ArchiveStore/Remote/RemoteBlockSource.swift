public import AWSCore
import AsyncHTTPClient
import Foundation

/// Reads blocks of segments that are in the bucket but not on this disk (evicted, or known from `catalog sync`
/// only): one ranged GET of exactly the block's bytes, which ``BlockReader`` then checks as it checks local ones.
public final class RemoteBlockSource: Sendable {
    public let location: BucketLocation
    public let s3: S3Client

    public init(location: BucketLocation, s3: S3Client) {
        self.location = location
        self.s3 = s3
    }

    /// The source `<storage>/bucket.json` names, with credentials and region from the process environment; `nil`
    /// when the directory has no bucket.
    /// - Throws: ``ArchiveError`` when the file or the AWS configuration is unusable.
    public static func configured(for layout: StorageLayout) throws -> RemoteBlockSource? {
        guard let configuration = try BucketConfiguration.load(layout) else { return nil }
        let location = try BucketLocation(parsing: configuration.segments)
        do {
            let environment = try AWSEnvironment.resolve(environment: ProcessInfo.processInfo.environment, endpointURL: configuration.endpointURL)
            return RemoteBlockSource(location: location, s3: S3Client(environment: environment, httpClient: .shared))
        } catch let error as AWSError {
            throw ArchiveError(
                code: .objectStore,
                message: "Segments evicted to \(location) cannot be read: \(error.message)"
            )
        }
    }

    /// Reads `length` bytes at `offset` of a segment in the bucket into `buffer`.
    func read(stream: String, fileName: String, offset: Int64, length: Int64, into buffer: inout [UInt8]) throws {
        let key = location.segmentKey(stream: stream, fileName: fileName)
        do {
            try s3.getObjectBlocking(bucket: location.bucket, key: key, range: offset...(offset + length - 1), into: &buffer)
        } catch let error as AWSError {
            throw ArchiveError(
                code: .objectStore,
                message: "Could not read the block at byte \(offset) of '\(key)' from \(location.bucket): \(error.message)"
            )
        }
    }
}
