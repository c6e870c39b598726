public import AWSCore
public import ArchiveStore

/// Something an ``ArchiverService`` did that an operator may want to see.
///
/// The service itself logs at debug and trace only; whoever runs it (the CLI) decides what to show and at
/// which level, from these events.
///
/// ```swift
/// let archiver = ArchiverService(..., events: { event in
///     if case .gapRecorded(let gap) = event { logger.warning("Gap", metadata: ["shard": "\(gap.shardID)"]) }
/// })
/// ```
public enum ArchiverEvent: Sendable {
    /// The stream is disabled: its remaining records are archived, then nothing new arrives.
    case streamDisabled(streamARN: String)
    /// Records were trimmed from the stream before they could be read: a gap was recorded, and reading goes on
    /// at the oldest record still there.
    case gapRecorded(ShardGap)
    /// A closed shard was read to its end (its children may start).
    case shardDrained(shardID: String)
    /// Finding the stream (at start) or reading failed after the client's retries, as in an outage. The service
    /// tries again after a backoff (from the checkpoints), until it works or is stopped.
    case retrying(AWSError, failures: Int, action: String)
    /// Retention ran (``ArchiverConfiguration/pruneInterval``) and deleted expired segments.
    case pruned(PruneReport)
    /// Retention could not run (e.g. the audit log is damaged, so its holds cannot be trusted); archiving goes on
    /// and retention is tried again at the next interval.
    case pruneFailed(ArchiveError)
    /// The stream was found and its shards listed: it is being read (at the start of a run, and again after an outage).
    case reading(shards: Int)
    /// A run ended with an error (no such table, stream disabled, access denied, the writer lock held elsewhere, an
    /// outage under an ``ArchiverSupervisor``). The supervisor starts it again after `retryIn`, from the checkpoints;
    /// `nil` when it does not (every supervised archiver has ``ArchiverConfiguration/once``: the stream is reported failed).
    case runFailed(any Error, failures: Int, retryIn: Duration?)
    /// A shard lease was taken, lost or released (with a lease table).
    case lease(LeaseEvent)
}
