public import AWSCore
import Foundation
import StreamModel

/// Fills a node's catalog from the bucket (`streamvault catalog sync`): the bucket is the source of truth, the
/// catalog a cache of it.
///
/// Lists the index objects, adds the segments the catalog does not know (with their blocks, from the index objects
/// alone), then downloads their files and checks each against the SHA-256 its index records, so replay, history,
/// export and serve read them like local segments. Idempotent: a re-run adds only what is new in the bucket.
/// A stream's writer lock is held while it is synced, so an archiver of the same stream on this node is not disturbed.
public struct CatalogSync: Sendable {
    /// What a sync did.
    public struct Summary: Sendable, Equatable {
        public var streams: [String] = []
        public var indexObjects = 0
        public var segmentsAdded = 0
        public var segmentsDownloaded = 0
        public var bytesDownloaded: Int64 = 0
    }

    public let layout: StorageLayout
    public let catalog: Catalog
    public let location: BucketLocation
    public let s3: S3Client
    let clock: WallClock

    public init(layout: StorageLayout, catalog: Catalog, location: BucketLocation, s3: S3Client, clock: WallClock = .system) {
        self.layout = layout
        self.catalog = catalog
        self.location = location
        self.s3 = s3
        self.clock = clock
    }

    /// Syncs one stream, or every stream under the location when `stream` is `nil`.
    /// - Parameter download: Whether to download the files of the segments added (default `true`).
    public func sync(stream: String? = nil, download: Bool = true) async throws -> Summary {
        let prefix = stream.map { location.indexPrefix(stream: $0) } ?? location.streamsPrefix
        let objects = try await remote("list \(location)") { try await s3.listObjects(bucket: location.bucket, prefix: prefix) }
        // <prefix>/<stream>/index/<file>.json
        var byStream: [String: [(key: String, etag: String, file: String)]] = [:]
        for object in objects {
            let relative = object.key.dropFirst(location.streamsPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
            guard relative.count == 3, relative[1] == "index", relative[2].hasSuffix(".json") else { continue }
            let name = String(relative[0])
            let file = String(relative[2].dropLast(".json".count)) + ".ndjson.zst"
            guard (try? StorageLayout.validateStreamName(name)) != nil, CatalogLimits.isSegmentFileName(file) else { continue }
            byStream[name, default: []].append((object.key, object.etag, file))
        }
        var summary = Summary()
        for name in byStream.keys.sorted() {
            try FileIO.makeDirectories(layout.segmentsDirectory(name))
            let lock = try WriterLock(path: layout.lockPath(name), stream: name)
            defer { withExtendedLifetime(lock) {} }
            summary.streams.append(name)
            var streamInfo = try catalog.stream(named: name)
            let known = Set(try streamInfo.map { try catalog.segments(streamID: $0.id).map(\.fileName) } ?? [])
            var found: [(index: SegmentIndexObject, etag: String)] = []
            for entry in byStream[name] ?? [] where !known.contains(entry.file) {
                let bytes = try await remote("read index object '\(entry.key)'") { try await s3.getObject(bucket: location.bucket, key: entry.key) }
                summary.indexObjects += 1
                let index = try SegmentIndexObject.decode(Data(bytes), key: entry.key)
                guard index.stream == name, index.file == entry.file else {
                    throw ArchiveError(
                        code: .invalidInput,
                        message: "Index object '\(entry.key)' describes '\(index.stream)/\(index.file)', not the segment its key names. "
                            + "Delete the object (it was copied or renamed by hand) and upload the segment again."
                    )
                }
                if streamInfo == nil {
                    let source = index.source.flatMap(StreamSourceKind.init(rawValue:)) ?? .file
                    streamInfo = try catalog.ensureStream(name, source: source, now: clock.nowMillis())
                }
                let segmentEtag = try await remote("look up '\(entry.file)'") {
                    try await s3.headObject(bucket: location.bucket, key: location.segmentKey(stream: name, fileName: entry.file))
                }
                guard let segmentEtag else { continue }  // an index whose segment is gone (being deleted by retention)
                // Audited first, as a seal is: `verify` checks every sealed segment against its seal entry.
                try AuditLog(layout: layout).append(
                    kind: .segmentSealed,
                    stream: name,
                    details: [
                        "file": .string(index.file), "sha256": .string(index.sha256), "bytes": .int(index.bytes),
                        "blocks": .int(Int64(index.blocks.count)), "records": .int(index.recordCount),
                        "min_time": .string(index.minTime.map { ISO8601.format(millis: $0) } ?? ""),
                        "max_time": .string(index.maxTime.map { ISO8601.format(millis: $0) } ?? ""),
                        "synced_from": .string(entry.key),
                    ],
                    now: clock.nowMillis()
                )
                found.append((index, segmentEtag.etag))
            }
            if let info = streamInfo {
                summary.segmentsAdded += try catalog.importRemoteSegments(found, streamID: info.id, now: clock.nowMillis()).count
            }
            guard download, let info = streamInfo else { continue }
            for segment in try catalog.remoteOnlySegments(streamID: info.id) {
                summary.bytesDownloaded += try await downloadSegment(segment, stream: name)
                summary.segmentsDownloaded += 1
            }
        }
        return summary
    }

    /// Downloads a segment's file, checks it against its sealed length and SHA-256, writes it in place (temp, fsync,
    /// rename) and marks it local. Returns its size.
    func downloadSegment(_ segment: SegmentInfo, stream: String) async throws -> Int64 {
        let key = location.segmentKey(stream: stream, fileName: segment.fileName)
        let bytes = try await remote("download '\(key)'") { try await s3.getObject(bucket: location.bucket, key: key) }
        let digest = SigV4Signer.hexSHA256(Data(bytes))
        guard Int64(bytes.count) == segment.committedBytes, digest == segment.sha256 else {
            throw ArchiveError(
                code: .segmentCorrupt,
                message:
                    "Segment object '\(key)' is \(bytes.count) bytes with SHA-256 \(digest), but its index object says \(segment.committedBytes) "
                    + "bytes with \(segment.sha256 ?? "?"): the copy in the bucket is damaged. Upload it again from a node that has it intact."
            )
        }
        try FileIO.writeAtomically(bytes, to: layout.segmentPath(stream: stream, fileName: segment.fileName))
        try catalog.markSegmentDownloaded(id: segment.id)
        return Int64(bytes.count)
    }

    func remote<T: Sendable>(_ what: String, _ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as AWSError {
            throw ArchiveError(code: .objectStore, message: "Could not \(what): \(error.message)")
        }
    }
}
