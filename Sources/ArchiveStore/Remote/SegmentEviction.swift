import AWSCore
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SegmentUploader {
    /// Removes local copies of uploaded sealed segments, least recently read first, until the stream's segment files
    /// on this disk take at most `keepBytes` (`--local-cache-bytes`). Never the open segment, never one that is not in
    /// the bucket: each is confirmed there first (HEAD: size and ETag as uploaded). Reads of an evicted segment then
    /// go to the bucket (``BlockReader``, ranged GETs of the blocks needed).
    /// - Returns: The file names evicted.
    @discardableResult
    public func evict(stream: String, keepBytes: Int64) async throws -> [String] {
        guard let info = try catalog.stream(named: stream) else { return [] }
        var local: Int64 = 0
        for segment in try catalog.segments(streamID: info.id)
        where FileIO.exists(layout.segmentPath(stream: stream, fileName: segment.fileName)) {
            local += segment.committedBytes
        }
        guard local > keepBytes else { return [] }
        let candidates = try catalog.evictableSegments(streamID: info.id).map { segment in
            (segment, Self.lastRead(layout.segmentPath(stream: stream, fileName: segment.fileName)) ?? -1)
        }
        var evicted: [String] = []
        for (segment, lastRead) in candidates.sorted(by: { $0.1 < $1.1 }) where local > keepBytes {
            guard lastRead >= 0 else { continue }  // no file: evicted already
            let key = location.segmentKey(stream: stream, fileName: segment.fileName)
            let object = try await remote("check '\(key)' before evicting it") { try await s3.headObject(bucket: location.bucket, key: key) }
            let expected = try catalog.remoteState(segmentID: segment.id)?.etag
            guard let object, object.size == segment.committedBytes, object.etag == expected else {
                throw ArchiveError(
                    code: .objectStore,
                    message: "Segment '\(segment.fileName)' is recorded as uploaded, but '\(key)' in \(location.bucket) is "
                        + (object.map { "\($0.size) bytes with ETag \($0.etag)" } ?? "missing")
                        + " (expected \(segment.committedBytes) bytes, ETag \(expected ?? "?")): its local copy is kept. Run `streamvault verify`."
                )
            }
            // Catalog first: a crash before the unlink leaves a file that reads still use and the next pass removes.
            guard try catalog.markSegmentEvicted(id: segment.id, now: clock.nowMillis()) else { continue }
            let path = layout.segmentPath(stream: stream, fileName: segment.fileName)
            guard unlink(path) == 0 || errno == ENOENT else { throw ArchiveError.io("Evicting", path: path, errno: errno) }
            local -= segment.committedBytes
            evicted.append(segment.fileName)
            logger.debug("Evicted segment", metadata: ["sv.segment": "\(segment.fileName)"])
        }
        return evicted
    }

    /// The file's access time in nanoseconds, or `nil` when it does not exist.
    static func lastRead(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_atim.tv_sec) * 1_000_000_000 + Int64(info.st_atim.tv_nsec)
    }
}
