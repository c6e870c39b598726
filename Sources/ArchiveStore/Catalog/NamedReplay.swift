public import StreamModel

/// A named replay (`streamvault replay --name`): what it replays, where it stands, what it has done.
public struct NamedReplay: Sendable, Equatable {
    /// Where a named replay is.
    public enum State: String, Sendable {
        /// A process is replaying (or was, and was killed: ``NamedReplay/pid`` is gone).
        case running
        /// Every record was delivered or given up.
        case completed
        /// It stopped on an error (the handler unusable, damage); resume after fixing it.
        case failed
    }

    public var name: String
    public var stream: String
    /// The replay's command-line options as JSON (a resume runs them again).
    public var arguments: String
    public var state: State
    public var pid: Int32?
    /// Resume after this record.
    public var checkpointShard: String?
    public var checkpointSequence: SequenceNumber?
    /// The last done sequence number of each shard reached, as JSON.
    public var checkpoints: String
    public var plannedRecords: Int?
    public var recordsDelivered: Int
    public var recordsFailed: Int
    public var recordsFiltered: Int
    public var invocations: Int
    public var retries: Int
    public var createdAt: Int64
    public var updatedAt: Int64

    /// A new replay's row: running, nothing done.
    public init(name: String, stream: String, arguments: String, pid: Int32?, now: Int64) {
        self.name = name
        self.stream = stream
        self.arguments = arguments
        state = .running
        self.pid = pid
        checkpoints = "{}"
        recordsDelivered = 0
        recordsFailed = 0
        recordsFiltered = 0
        invocations = 0
        retries = 0
        createdAt = now
        updatedAt = now
    }
}
