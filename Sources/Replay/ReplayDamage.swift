/// Where a replay met damage: which block of which segment, and what is wrong with it.
public struct ReplayDamage: Sendable, Equatable, CustomStringConvertible {
    /// Path of the segment file (as the catalog names it; the file may be missing).
    public var segmentPath: String
    /// The block's byte offset in the segment and its length, as the catalog has them.
    public var blockOffset: Int64
    /// The block's length in bytes (as the catalog has it).
    public var blockLength: Int64
    /// The block's shard.
    public var shardID: String
    /// What is wrong (unreadable, does not decompress, wrong record count, ...).
    public var problem: String

    /// Describes damage at one block.
    public init(segmentPath: String, blockOffset: Int64, blockLength: Int64, shardID: String, problem: String) {
        self.segmentPath = segmentPath
        self.blockOffset = blockOffset
        self.blockLength = blockLength
        self.shardID = shardID
        self.problem = problem
    }

    public var description: String {
        "segment '\(segmentPath)', block at byte \(blockOffset) (\(blockLength) bytes, shard '\(shardID)'): \(problem)"
    }
}
