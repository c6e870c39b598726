/// What the lease coordinator did, for the operator's log (the library logs at debug only).
public enum LeaseEvent: Sendable {
    /// This node took a shard's lease; it reads the shard from `readingFromMillis` (wall clock) on. A stolen
    /// lease is read only after a lease timeout, once its previous owner has certainly stopped.
    case taken(shardID: String, previousOwner: String?, stolen: Bool, checkpoint: String, readingFromMillis: Int64)
    /// This node stopped reading a shard at `atMillis`: its lease was taken by another node (a renewal or
    /// checkpoint was refused), or it could not renew it in time. `atMillis` is when writing stopped: the time
    /// it noticed, or the end of the lease's validity (last renewal + timeout - margin) if that came first.
    case lost(shardID: String, reason: String, atMillis: Int64)
    /// This node wrote SHARD_END into a shard's lease (the closed shard is archived to its end): its children may be
    /// taken from then on. `atMillis` is when the write was sent, so no other node can have seen it earlier.
    case finished(shardID: String, atMillis: Int64)
    /// This node gave a lease up (shutdown, or a shard archived to its end) at `atMillis`.
    case released(shardID: String, atMillis: Int64)
}
