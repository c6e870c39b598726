public import AWSCore
public import ArchiveStore
import Foundation
import ServiceLifecycle
import StreamModel

/// Lease checkpoints that follow the bucket (`archive --segments s3://… --lease-table …`): a shard's checkpoint moves
/// only once a segment holding its records through that sequence number is complete in the bucket, so a node that
/// takes the shard over resumes after records that are safe even if this machine and its disk are gone.
///
/// The archiver reports each local commit (``committed(shardID:checkpoint:advance:)``); the uploader reports each
/// segment it completed (``uploaded(_:)``, with the segment's last sequence number per shard). A checkpoint is moved
/// when both have happened, in order per shard, by one task at a time. A closed shard's ``Lease/shardEnd`` waits
/// until all its committed records are uploaded (its children start only after it). ``settle(seal:)`` (shutdown,
/// before the leases are released) seals the open segment and waits for the uploader to send it.
public actor BucketDurability: CheckpointDurability {
    typealias Advance = @Sendable (String) async throws -> Void

    /// What this node knows of one shard it writes.
    private struct Shard {
        /// The highest sequence number committed locally, and the highest in a segment complete in the bucket.
        var committed: SequenceNumber?
        var uploaded: SequenceNumber?
        /// Where the lease checkpoint was last moved.
        var advanced: SequenceNumber?
        /// The closed shard is read to its end: SHARD_END once everything committed is uploaded.
        var finished = false
        /// Moves the lease checkpoint (the latest lease grant's).
        var advance: Advance?

        /// The checkpoint to move to now, if any: SHARD_END, or the highest uploaded sequence not yet checkpointed.
        var due: String? {
            guard advance != nil else { return nil }
            let allUploaded = committed.map { last in uploaded.map { $0 >= last } ?? false } ?? true
            if finished { return allUploaded ? Lease.shardEnd : nil }
            guard let uploaded, committed != nil, advanced.map({ $0 < uploaded }) ?? true else { return nil }
            return uploaded.description
        }

        /// Records committed here whose checkpoint has not moved yet.
        var isBehind: Bool {
            guard advance != nil else { return false }
            if finished { return true }
            guard let committed else { return false }
            return advanced.map { $0 < committed } ?? true
        }
    }

    /// Where a node taking a shard over looks for records of it that the previous owner uploaded after its last
    /// checkpoint: the index objects of segments created within `lookback` (at least twice the seal interval).
    public struct Bucket: Sendable {
        public var s3: S3Client
        public var location: BucketLocation
        public var stream: String
        public var lookback: Duration

        public init(s3: S3Client, location: BucketLocation, stream: String, lookback: Duration) {
            self.s3 = s3
            self.location = location
            self.stream = stream
            self.lookback = lookback
        }
    }

    private var shards: [String: Shard] = [:]
    private var pumping = false
    private var sealRequested = false
    let bucket: Bucket?
    let settleTimeout: Duration
    let poll: Duration

    /// - Parameters:
    ///   - bucket: Where to look for a taken-over shard's records beyond its lease checkpoint (``resumePoint(shardID:after:)``).
    ///   - settleTimeout: How long shutdown waits for the last upload before releasing the leases anyway (what is not
    ///     uploaded then is read again by the next owner: duplicates in the bucket, never a loss).
    ///   - poll: How often a waiting ``Lease/shardEnd`` and ``settle(seal:)`` look again.
    public init(bucket: Bucket? = nil, settleTimeout: Duration = .seconds(40), poll: Duration = .milliseconds(100)) {
        self.bucket = bucket
        self.settleTimeout = settleTimeout
        self.poll = poll
    }

    /// After the lease checkpoint, or after the last record of the shard in a recent segment of the bucket (uploaded
    /// by the previous owner, which could not move the checkpoint: it died between the two, or lost the lease and
    /// sealed at once, see ``leaseLost(shardID:seal:)``). Records up to there are in the bucket: reading them again
    /// would store them twice. When the bucket cannot be read, the checkpoint (duplicates, never a loss).
    public func resumePoint(shardID: String, after checkpoint: String?) async -> String? {
        guard let bucket else { return checkpoint }
        var best = checkpoint.flatMap { SequenceNumber($0) }
        do {
            let since = Int64(Date().timeIntervalSince1970 * 1000) - Int64(bucket.lookback.components.seconds) * 1000
            let recent = try await bucket.s3.listObjects(
                bucket: bucket.location.bucket,
                prefix: bucket.location.indexPrefix(stream: bucket.stream),
                startAfter: bucket.location.indexKeysCreated(stream: bucket.stream, sinceMillis: since)
            )
            for object in recent where object.key.hasSuffix(".json") {
                let bytes = try await bucket.s3.getObject(bucket: bucket.location.bucket, key: object.key)
                let index = try JSONDecoder().decode(SegmentIndexObject.self, from: Data(bytes))
                for block in index.blocks where block.shard == shardID {
                    if let last = SequenceNumber(block.lastSeq), best.map({ $0 < last }) ?? true { best = last }
                }
            }
        } catch {
            return checkpoint
        }
        return best?.description ?? checkpoint
    }

    /// Seals the open segment at once (not at the seal interval), so the uploader sends the shard's committed records
    /// while the new owner waits out the lease timeout before reading; it then starts after them.
    public func leaseLost(shardID: String, seal: @Sendable () async throws -> Void) async {
        guard shards[shardID]?.isBehind == true, !sealRequested else { return }
        sealRequested = true
        defer { sealRequested = false }
        try? await seal()
    }

    public func committed(shardID: String, checkpoint: String, advance: @escaping @Sendable (String) async throws -> Void) async throws {
        var shard = shards[shardID] ?? Shard()
        shard.advance = advance
        if checkpoint == Lease.shardEnd {
            shard.finished = true
            shards[shardID] = shard
            // The reader waits here for its last records to reach the bucket (at most a seal interval plus the upload):
            // its children must not start before the lease says SHARD_END.
            while shards[shardID]?.finished == true, shards[shardID]?.due == nil {
                // Shutdown: keep the lease (released after settle(), which seals and uploads, so SHARD_END moves there).
                if Task.isShuttingDownGracefully || Task.isCancelled { throw LeaseLost(shardID: shardID, action: "waiting for the bucket") }
                try await Task.sleep(for: poll)
            }
            await pump()
            return
        }
        guard let sequence = SequenceNumber(checkpoint) else { return try await advance(checkpoint) }
        if shard.committed.map({ $0 < sequence }) ?? true { shard.committed = sequence }
        shards[shardID] = shard
        await pump()
    }

    /// A segment is complete in the bucket: the checkpoints it covers may move (the uploader's callback).
    public func uploaded(_ segment: UploadedSegment) async {
        for (shardID, last) in segment.lastSequences {
            var shard = shards[shardID] ?? Shard()
            if shard.uploaded.map({ $0 < last }) ?? true { shard.uploaded = last }
            shards[shardID] = shard
        }
        await pump()
    }

    /// Seals the open segment and waits (at most ``settleTimeout``) until every committed record's checkpoint has moved.
    public func settle(seal: @Sendable () async throws -> Void) async {
        try? await seal()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: settleTimeout)
        while clock.now < deadline, shards.values.contains(where: \.isBehind) {
            await pump()
            try? await Task.sleep(for: poll)
        }
        await pump()
    }

    /// Moves every checkpoint that is due, one at a time, so a shard's checkpoint never goes back.
    private func pump() async {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while let (shardID, checkpoint) = shards.lazy.compactMap({ id, shard in shard.due.map { (id, $0) } }).first {
            guard let advance = shards[shardID]?.advance else { break }
            if checkpoint == Lease.shardEnd {
                shards[shardID] = nil
            } else {
                shards[shardID]?.advanced = SequenceNumber(checkpoint)
            }
            // A lost lease is noticed by the reader itself (its renewals); the next owner starts from the table.
            try? await advance(checkpoint)
        }
    }
}
