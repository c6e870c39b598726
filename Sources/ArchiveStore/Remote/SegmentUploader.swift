public import AWSCore
import Foundation
public import Logging
public import StreamModel

/// A segment that is now complete in the bucket: what the lease checkpoints may move to.
public struct UploadedSegment: Sendable, Equatable {
    public var stream: String
    public var fileName: String
    public var segmentKey: String
    public var indexKey: String
    /// The segment's SHA-256 (hex) and the bucket's ETag of it.
    public var sha256: String
    public var etag: String
    public var bytes: Int64
    /// The highest sequence number of each shard in the segment: everything up to it is in the bucket.
    public var lastSequences: [String: SequenceNumber]
}

/// Uploads sealed segments, then their index objects, to a bucket; records each in the catalog and the audit log.
///
/// Order, so that the catalog never marks uploaded what is not complete in the bucket: the local file is checked
/// against its sealed SHA-256, the segment is uploaded (end-to-end checksums, multipart when large), then the index
/// object, then an audit entry `segment-uploaded`, then the catalog row. A crash anywhere before the catalog update
/// uploads the segment again on the next pass (same key, same bytes). Multipart uploads left by a crash are aborted
/// by ``abortInterruptedUploads(stream:)``.
public struct SegmentUploader: Sendable {
    public let layout: StorageLayout
    public let catalog: Catalog
    public let location: BucketLocation
    public let s3: S3Client
    let clock: WallClock
    let logger: Logger
    let audit: AuditLog

    /// - Parameters:
    ///   - layout: The storage directory.
    ///   - catalog: Its catalog, opened for writing.
    ///   - location: The bucket and prefix.
    ///   - s3: The S3 client (endpoint, credentials, retries).
    ///   - clock: The time recorded for uploads.
    ///   - logger: Where to log (debug).
    public init(
        layout: StorageLayout,
        catalog: Catalog,
        location: BucketLocation,
        s3: S3Client,
        clock: WallClock = .system,
        logger: Logger = Logger(label: "streamvault.uploader", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.layout = layout
        self.catalog = catalog
        self.location = location
        self.s3 = s3
        self.clock = clock
        self.logger = logger
        self.audit = AuditLog(layout: layout)
    }

    /// Aborts the multipart uploads under the stream's segments that a crashed run left behind; returns how many.
    /// Call before the first ``uploadPending(stream:)`` of a run (and only when no other uploader of this node runs).
    @discardableResult
    public func abortInterruptedUploads(stream: String) async throws -> Int {
        let pending = try await remote("list the interrupted uploads of '\(stream)'") {
            try await s3.listMultipartUploads(bucket: location.bucket, prefix: location.streamKey(stream))
        }
        for upload in pending {
            try await remote("abort the interrupted upload of '\(upload.key)'") {
                try await s3.abortMultipartUpload(bucket: location.bucket, key: upload.key, uploadID: upload.uploadID)
            }
        }
        return pending.count
    }

    /// Uploads every sealed segment of `stream` that is not in the bucket yet, oldest first.
    /// - Parameter uploaded: Called after each segment is recorded as uploaded.
    /// - Returns: The segments uploaded.
    @discardableResult
    public func uploadPending(stream: String, uploaded: (UploadedSegment) -> Void = { _ in }) async throws -> [UploadedSegment] {
        guard let info = try catalog.stream(named: stream) else { return [] }
        var done: [UploadedSegment] = []
        for segment in try catalog.segmentsAwaitingUpload(streamID: info.id) {
            try Task.checkCancellation()
            let result = try await upload(segment, of: info)
            done.append(result)
            uploaded(result)
        }
        return done
    }

    /// Uploads one sealed segment and its index object, then records it.
    public func upload(_ segment: SegmentInfo, of stream: StreamInfo) async throws -> UploadedSegment {
        let path = layout.segmentPath(stream: stream.name, fileName: segment.fileName)
        let index = try SegmentIndexObject.make(catalog: catalog, stream: stream, segment: segment)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ArchiveError(
                code: .catalogMismatch,
                message: "Segment file '\(path)' cannot be read, so it cannot be uploaded. Run `streamvault verify` to see what is damaged."
            )
        }
        // Never put damaged bytes in the bucket, the source of truth: the file must be what was sealed.
        let digest = SigV4Signer.hexSHA256(data)
        guard Int64(data.count) == segment.committedBytes, digest == index.sha256 else {
            throw ArchiveError(
                code: .segmentCorrupt,
                message: "Segment '\(path)' is \(data.count) bytes with SHA-256 \(digest), but it was sealed at \(segment.committedBytes) bytes "
                    + "with \(index.sha256): it changed after sealing and is not uploaded. Restore it from a backup (`streamvault verify`)."
            )
        }
        let segmentKey = location.segmentKey(stream: stream.name, fileName: segment.fileName)
        let indexKey = location.indexKey(stream: stream.name, fileName: segment.fileName)
        let put = try await remote("upload '\(segment.fileName)' to \(location)") {
            try await s3.upload(bucket: location.bucket, key: segmentKey, body: data, metadata: ["sha256": digest])
        }
        let indexBytes = try index.encoded()
        _ = try await remote("upload the index object of '\(segment.fileName)' to \(location)") {
            try await s3.upload(bucket: location.bucket, key: indexKey, body: indexBytes, metadata: ["sha256": SigV4Signer.hexSHA256(indexBytes)])
        }
        let now = clock.nowMillis()
        try audit.append(
            kind: .segmentUploaded,
            stream: stream.name,
            details: [
                "file": .string(segment.fileName), "key": .string(segmentKey), "index_key": .string(indexKey), "sha256": .string(digest),
                "etag": .string(put.etag), "bytes": .int(segment.committedBytes), "parts": .int(Int64(put.parts)),
            ],
            now: now
        )
        try catalog.markSegmentUploaded(id: segment.id, etag: put.etag, now: now)
        logger.debug("Uploaded segment", metadata: ["sv.segment": "\(segment.fileName)", "sv.key": "\(segmentKey)", "sv.parts": "\(put.parts)"])
        var last: [String: SequenceNumber] = [:]
        for block in index.blocks {
            guard let seq = SequenceNumber(block.lastSeq) else { continue }
            if let known = last[block.shard], known >= seq { continue }
            last[block.shard] = seq
        }
        return UploadedSegment(
            stream: stream.name,
            fileName: segment.fileName,
            segmentKey: segmentKey,
            indexKey: indexKey,
            sha256: digest,
            etag: put.etag,
            bytes: segment.committedBytes,
            lastSequences: last
        )
    }

    /// Runs an S3 call, turning its ``AWSError`` into an ``ArchiveError`` that says what was being done.
    func remote<T: Sendable>(_ what: String, _ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as AWSError {
            throw ArchiveError(code: .objectStore, message: "Could not \(what): \(error.message)")
        }
    }
}
