public import ArchiveStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Uploads a stream's sealed segments to the bucket while the archiver runs (`archive --segments s3://…`).
///
/// Run it in the same ``ServiceGroup`` as the ``ArchiverService``, *before* it in the services list: graceful shutdown
/// stops services in reverse order, so the archiver commits and closes its writer first; then this service seals the
/// open segment (the writer lock is free by then) and uploads everything sealed, so SIGTERM leaves nothing on this
/// disk only. Upload failures are reported through `failed` and retried on the next pass; archiving never stops for
/// them. Only a failure of that last pass ends the run with an error (what is not uploaded goes up on the next start).
public struct SegmentUploadService: Service {
    public let uploader: SegmentUploader
    public let stream: String
    /// The time between passes. Default 5 s.
    public let interval: Duration
    /// The writer configuration used for the final seal at shutdown (node id, as the archiver's).
    public let writer: WriterConfiguration
    /// With a value, local copies of uploaded segments are evicted after each pass down to this many bytes.
    public let localCacheBytes: Int64?
    let uploaded: @Sendable (UploadedSegment) -> Void
    let failed: @Sendable (ArchiveError) -> Void
    let logger: Logger

    /// - Parameters:
    ///   - uploader: Uploads to the bucket.
    ///   - stream: The archive's stream name.
    ///   - interval: The time between passes.
    ///   - writer: The archiver's writer configuration.
    ///   - localCacheBytes: Keep at most this many bytes of the stream's segments on this disk (`nil`: keep all).
    ///   - uploaded: Called with each segment once it is complete in the bucket (lease checkpoints may move to it).
    ///   - failed: Called when a pass fails (it is retried on the next one).
    ///   - logger: Where to log (debug).
    public init(
        uploader: SegmentUploader,
        stream: String,
        interval: Duration = .seconds(5),
        writer: WriterConfiguration,
        localCacheBytes: Int64? = nil,
        uploaded: @escaping @Sendable (UploadedSegment) -> Void = { _ in },
        failed: @escaping @Sendable (ArchiveError) -> Void = { _ in },
        logger: Logger
    ) {
        self.uploader = uploader
        self.stream = stream
        self.interval = interval
        self.writer = writer
        self.localCacheBytes = localCacheBytes
        self.uploaded = uploaded
        self.failed = failed
        self.logger = logger
    }

    public func run() async throws {
        var aborted = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if !aborted { aborted = await pass { _ = try await uploader.abortInterruptedUploads(stream: stream) } }
            if aborted { _ = await pass { try await uploadAndEvict() } }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        guard !Task.isCancelled else { return }
        // The archiver has stopped and closed its writer: seal what is open, then upload everything sealed. If that
        // fails, the run ends with the error: the segments stay on this disk and go up on the next start.
        do {
            try await sealOpenSegment()
            if !aborted { _ = try await uploader.abortInterruptedUploads(stream: stream) }
            try await uploadAndEvict()
        } catch let error as ArchiveError {
            throw ArchiveError(
                code: error.code,
                message: "\(error.message) The sealed segments not uploaded stay on this disk and are uploaded on the next start."
            )
        }
    }

    /// Seals the open segment once the archiver's writer is released (it goes with the archiver's last task, so allow
    /// it a moment); a writer still held after 5 s (another process) keeps its segment open.
    private func sealOpenSegment() async throws {
        for attempt in 1...50 {
            do {
                let writer = try StreamWriter(layout: uploader.layout, catalog: uploader.catalog, streamName: stream, configuration: writer)
                try writer.sealOpenSegment()
                return
            } catch let error as ArchiveError where error.code == .locked {
                if attempt == 50 {
                    logger.debug("Not sealing at shutdown: the stream's writer is still held", metadata: ["sv.stream": "\(stream)"])
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func uploadAndEvict() async throws {
        try await uploader.uploadPending(stream: stream, uploaded: uploaded)
        try await uploader.deleteRemoved(stream: stream)
        if let localCacheBytes { try await uploader.evict(stream: stream, keepBytes: localCacheBytes) }
    }

    /// Runs one step; reports an ``ArchiveError`` and returns `false` instead of stopping.
    private func pass(_ step: () async throws -> Void) async -> Bool {
        do {
            try await step()
            return true
        } catch let error as ArchiveError {
            logger.debug("Segment upload pass failed", metadata: ["sv.error": "\(error)"])
            failed(error)
            return false
        } catch {
            logger.debug("Segment upload pass stopped", metadata: ["sv.error": "\(error)"])
            return false
        }
    }
}
