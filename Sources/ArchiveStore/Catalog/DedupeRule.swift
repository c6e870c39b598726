/// How duplicates are recognised in a shard.
public enum DedupeRule: String, Sendable {
    /// The shard is an ordered log: anything at or below the checkpoint was already archived.
    case sequence
    /// Records may come in any order (the per-stream default shard, Kinesis for DynamoDB): one copy per eventID.
    case eventID = "event-id"
}
