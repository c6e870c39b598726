/// A conditional lease write was refused: another node took the lease (or it was released), so this node must
/// stop reading the shard at once and must not move its checkpoint (fencing).
public struct LeaseLost: Error, Sendable, CustomStringConvertible {
    /// The shard.
    public let shardID: String
    /// The refused write: `renewal`, `checkpoint`, `release` or `take`.
    public let action: String

    /// What happened.
    public var description: String {
        "The lease of shard \(shardID) is held by another node now (its \(action) was refused); this node stopped reading the shard."
    }
}
