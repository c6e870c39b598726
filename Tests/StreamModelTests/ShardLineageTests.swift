import StreamModel
import Testing

struct ShardLineageTests {
    /// root -> (a, b) split; a + b -> merged; c's parent was trimmed away.
    static let shards = [
        ShardLineage(shardID: "merged", parentShardID: "a", adjacentParentShardID: "b"),
        ShardLineage(shardID: "c", parentShardID: "trimmed-away"),
        ShardLineage(shardID: "a", parentShardID: "root"),
        ShardLineage(shardID: "root"),
        ShardLineage(shardID: "b", parentShardID: "root"),
    ]

    @Test func orderPutsEveryParentFirst() {
        // Pass 1 places c, root and b (a comes before root in the list); pass 2 places a, then merged.
        #expect(ShardLineage.order(Self.shards).map(\.shardID) == ["c", "root", "b", "a", "merged"])
    }

    @Test func orderWaitsForTheAdjacentParentToo() {
        let shards = [
            ShardLineage(shardID: "a"),
            ShardLineage(shardID: "merged", parentShardID: "a", adjacentParentShardID: "b"),
            ShardLineage(shardID: "b"),
        ]
        #expect(ShardLineage.order(shards).map(\.shardID) == ["a", "b", "merged"])
    }

    @Test func orderKeepsACycleInsteadOfLosingIt() {
        let shards = [ShardLineage(shardID: "x", parentShardID: "y"), ShardLineage(shardID: "y", parentShardID: "x"), ShardLineage(shardID: "z")]
        #expect(ShardLineage.order(shards).map(\.shardID) == ["z", "x", "y"])
    }

    @Test func planAndOrderAgree() {
        // Draining shards in plan order visits them in an order that `order` accepts.
        var drained: Set<String> = []
        var visited: [String] = []
        while true {
            let readable = ShardLineage.plan(Self.shards, drained: drained).readable
            if readable.isEmpty { break }
            visited += readable
            drained.formUnion(readable)
        }
        #expect(visited == ["c", "root", "a", "b", "merged"])
        #expect(Self.shards.first?.unfinishedParents(known: Set(Self.shards.map(\.shardID)), finished: ["a"]) == ["b"])
    }
}
