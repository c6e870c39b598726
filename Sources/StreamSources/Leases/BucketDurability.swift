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

    private struct Waiting {
        var checkpoint: String
        var through: SequenceNumber?
        var advance: Advance
    }

    /// Per shard: the highest sequence number complete in the bucket, the highest committed, what waits.
    private var uploadedThrough: [String: SequenceNumber] = [:]
    private var committedThrough: [String: SequenceNumber] = [:]
    private var waiting: [String: Waiting] = [:]
    private var pumping = false
    let settleTimeout: Duration
    let poll: Duration

    /// - Parameters:
    ///   - settleTimeout: How long shutdown waits for the last upload before releasing the leases anyway (what is not
    ///     uploaded then is read again by the next owner: duplicates in the bucket, never a loss).
    ///   - poll: How often a waiting ``Lease/shardEnd`` and ``settle(seal:)`` look again.
    public init(settleTimeout: Duration = .seconds(40), poll: Duration = .milliseconds(100)) {
        self.settleTimeout = settleTimeout
        self.poll = poll
    }

    public func committed(shardID: String, checkpoint: String, advance: @escaping @Sendable (String) async throws -> Void) async throws {
        if checkpoint == Lease.shardEnd {
            waiting[shardID] = Waiting(checkpoint: checkpoint, through: committedThrough[shardID], advance: advance)
            // The reader waits here for its last records to reach the bucket (at most a seal interval plus the upload):
            // its children must not start before the lease says SHARD_END. Shutdown leaves it to settle().
            while waiting[shardID]?.checkpoint == Lease.shardEnd, !isDue(shardID) {
                // Shutdown: keep the lease (released after settle(), which seals and uploads, so SHARD_END moves there).
                if Task.isShuttingDownGracefully || Task.isCancelled { throw LeaseLost(shardID: shardID, action: "waiting for the bucket") }
                try await Task.sleep(for: poll)
            }
            await pump()
            return
        }
        guard let sequence = SequenceNumber(checkpoint) else { return try await advance(checkpoint) }
        if let known = committedThrough[shardID], known > sequence { return }
        committedThrough[shardID] = sequence
        waiting[shardID] = Waiting(checkpoint: checkpoint, through: sequence, advance: advance)
        await pump()
    }

    /// A segment is complete in the bucket: the checkpoints it covers may move (the uploader's callback).
    public func uploaded(_ segment: UploadedSegment) async {
        for (shardID, last) in segment.lastSequences where uploadedThrough[shardID].map({ $0 < last }) ?? true {
            uploadedThrough[shardID] = last
        }
        await pump()
    }

    /// Seals the open segment and waits (at most ``settleTimeout``) until every committed checkpoint has moved.
    public func settle(seal: @Sendable () async throws -> Void) async {
        try? await seal()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: settleTimeout)
        while !waiting.isEmpty, clock.now < deadline {
            await pump()
            if waiting.isEmpty { break }
            try? await Task.sleep(for: poll)
        }
    }

    /// Whether what waits for `shardID` is in the bucket.
    private func isDue(_ shardID: String) -> Bool {
        guard let entry = waiting[shardID] else { return false }
        guard let through = entry.through else { return true }
        return uploadedThrough[shardID].map { $0 >= through } ?? false
    }

    /// Moves every checkpoint that is due, one at a time, so a shard's checkpoint never goes back.
    private func pump() async {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while let shardID = waiting.keys.first(where: isDue), let entry = waiting.removeValue(forKey: shardID) {
            // A lost lease is noticed by the reader itself (its renewals); the next owner starts from the table.
            try? await entry.advance(entry.checkpoint)
        }
    }
}
