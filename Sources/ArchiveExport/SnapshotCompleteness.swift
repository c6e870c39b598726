import ArchiveStore
import Replay
import StreamModel

/// Why the archive cannot prove a snapshot at a moment complete: each reason is a sentence naming the shard,
/// gap or setting, and what to do. An empty list means every change up to the moment is archived.
///
/// - the stream's view type keeps no new images (KEYS_ONLY, OLD_IMAGE);
/// - a gap (records trimmed before they were read) before the moment in any shard, or at a shard's start;
/// - a shard whose parent shard is not in the archive (archiving began after the stream did).
enum SnapshotCompleteness {
    static func reasons(catalog: Catalog, layout: StorageLayout, stream: StreamInfo, at: Int64) throws -> [String] {
        var reasons: [String] = []
        if let view = stream.viewType, view == "KEYS_ONLY" || view == "OLD_IMAGE" {
            reasons.append(
                "stream '\(stream.name)' has view type \(view): its records carry no new images, so no item can be rebuilt "
                    + "(switch the table's stream to NEW_IMAGE or NEW_AND_OLD_IMAGES)"
            )
        }
        let shards = try catalog.shards(streamID: stream.id)
        let known = Set(shards.map(\.shardID))
        for shard in shards {
            for parent in [shard.parentShardID, shard.adjacentParentShardID].compactMap({ $0 }) where !known.contains(parent) {
                reasons.append(
                    "shard '\(shard.shardID)' has parent '\(parent)', which is not in the archive: archiving began after the stream did, "
                        + "so changes before it are missing"
                )
            }
        }
        // Retention deleted a shard's oldest records: the items they wrote are unknown unless rewritten later.
        for shard in shards {
            guard let boundary = try catalog.retainedFrom(stream: stream.name, shard: shard.shardID) else { continue }
            reasons.append(
                "retention deleted the records of shard '\(shard.shardID)' up to sequence number \(boundary.trimmedThrough): "
                    + "history no longer starts at the stream's start (restore from an older snapshot, or keep the stream longer)"
            )
        }
        for gap in try catalog.gaps(streamID: stream.id) {
            guard gap.afterSequence != nil else {
                reasons.append(
                    "shard '\(gap.shardID)' lost records before its first archived one (\(gap.reason)): history does not start at the stream's start"
                )
                continue
            }
            // The missing records follow the record at `afterSequence`: they matter when it is at or before the moment (or gone).
            let placement = try GapPlacement.locate(catalog: catalog, layout: layout, stream: stream.name, gap: gap)
            if placement.overlaps(from: nil, to: at + 1), let after = gap.afterSequence {
                reasons.append(
                    "shard '\(gap.shardID)' has a gap after sequence number \(after) (\(gap.reason)), before \(ISO8601.format(millis: at))"
                )
            }
        }
        return reasons
    }
}
