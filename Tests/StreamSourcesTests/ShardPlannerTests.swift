import StreamModel
import StreamSources
import Testing

struct ShardPlannerTests {
    /// root -> (a, b) split; a + b -> merged (Kinesis merge); c is an orphan whose parent was trimmed away.
    static let shards = [
        ShardLineage(shardID: "root"),
        ShardLineage(shardID: "a", parentShardID: "root"),
        ShardLineage(shardID: "b", parentShardID: "root"),
        ShardLineage(shardID: "merged", parentShardID: "a", adjacentParentShardID: "b"),
        ShardLineage(shardID: "c", parentShardID: "trimmed-away"),
    ]

    @Test func nothingDrainedReadsRootsAndOrphansOnly() {
        let plan = ShardPlanner.plan(shards: Self.shards, drained: [])
        #expect(plan.readable == ["root", "c"])
        #expect(plan.waiting == ["a": ["root"], "b": ["root"], "merged": ["a", "b"]])
        #expect(plan.drained.isEmpty)
    }

    @Test func childrenStartOnceTheirParentIsDrained() {
        let plan = ShardPlanner.plan(shards: Self.shards, drained: ["root"])
        #expect(plan.readable == ["a", "b", "c"])
        #expect(plan.drained == ["root"])
        #expect(plan.waiting == ["merged": ["a", "b"]])
    }

    @Test func mergeWaitsForBothParents() {
        #expect(ShardPlanner.plan(shards: Self.shards, drained: ["root", "a"]).waiting == ["merged": ["b"]])
        #expect(ShardPlanner.plan(shards: Self.shards, drained: ["root", "a", "b"]).readable == ["merged", "c"])
    }

    @Test func parentNoLongerListedCountsAsGone() {
        // The stream trimmed root and a away after they were drained; b's drain was recorded too.
        let later = Array(Self.shards.dropFirst(2))
        #expect(ShardPlanner.plan(shards: later, drained: ["b"]).readable == ["merged", "c"])
        // Even without a checkpoint for the vanished parent, the child can be read.
        #expect(ShardPlanner.plan(shards: [ShardLineage(shardID: "x", parentShardID: "gone")], drained: []).readable == ["x"])
    }

    @Test func everythingDrainedLeavesNothingToRead() {
        let all = Set(Self.shards.map(\.shardID))
        let plan = ShardPlanner.plan(shards: Self.shards, drained: all)
        #expect(plan.readable.isEmpty && plan.waiting.isEmpty && plan.drained.count == Self.shards.count)
    }

    @Test func dynamoDBShardMapsToLineage() {
        let shard = DynamoDBStreamShard(shardID: "shardId-2", parentShardID: "shardId-1", startingSequenceNumber: "1", endingSequenceNumber: "9")
        #expect(shard.lineage == ShardLineage(shardID: "shardId-2", parentShardID: "shardId-1"))
        #expect(shard.isClosed)
    }
}
