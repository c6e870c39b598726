import Foundation
import GRDB
import StreamModel
import StreamVaultTesting
import Testing

@testable import ArchiveStore

/// Both parents of a Kinesis merge are stored, and shards come back parents first (the order replay reads them in).
struct ShardLineageCatalogTests {
    @Test(arguments: Backend.allCases)
    func mergeKeepsBothParentsAndComesAfterBoth(_ backend: Backend) throws {
        let dir = try TemporaryDirectory()
        let catalog = try backend.makeCatalog(dir)
        let stream = try catalog.ensureStream("orders", source: .kinesis, now: 0)
        // Created in an order where the merge is seen before its second parent.
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "A", dedupe: .eventID, now: 1)
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "B", parentShardID: "A", dedupe: .eventID, now: 2)
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "D", parentShardID: "B", adjacentParentShardID: "C", dedupe: .eventID, now: 3)
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "C", parentShardID: "A", dedupe: .eventID, now: 4)
        let shards = try catalog.shards(streamID: stream.id)
        #expect(shards.map(\.shardID) == ["A", "B", "C", "D"])
        #expect(shards.last?.lineage == ShardLineage(shardID: "D", parentShardID: "B", adjacentParentShardID: "C"))
    }

    @Test func parentsLearnedLaterFillInWithoutOverwriting() throws {
        let dir = try TemporaryDirectory()
        let catalog = try Backend.onDiskPool.makeCatalog(dir)
        let stream = try catalog.ensureStream("orders", source: .kinesis, now: 0)
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "D", dedupe: .eventID, now: 1)
        _ = try catalog.ensureShard(streamID: stream.id, shardID: "D", parentShardID: "B", adjacentParentShardID: "C", dedupe: .eventID, now: 2)
        let again = try catalog.ensureShard(
            streamID: stream.id,
            shardID: "D",
            parentShardID: "X",
            adjacentParentShardID: "Y",
            dedupe: .eventID,
            now: 3
        )
        #expect(again.lineage == ShardLineage(shardID: "D", parentShardID: "B", adjacentParentShardID: "C"))
    }

    /// An archive written before the second parent was stored opens, migrates, and keeps its shards.
    @Test func catalogWithoutTheSecondParentMigrates() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("catalog.sqlite")
        do {
            let old = try DatabaseQueue(path: path)
            try CatalogSchema.migrator.migrate(old, upTo: "v1: streams, shards, segments, blocks, event ids, gaps")
            try old.write { db in
                try db.execute(sql: "INSERT INTO streams (id, name, source, created_at) VALUES (1, 'orders', 'kinesis', 0)")
                try db.execute(
                    sql: """
                        INSERT INTO shards (stream_id, shard_id, parent_shard_id, dedupe, created_at)
                        VALUES (1, 'child', 'parent', 'event-id', 1), (1, 'parent', NULL, 'event-id', 2)
                        """
                )
            }
            try old.close()
        }
        let catalog = try Catalog(path: path)
        let stream = try catalog.requireStream("orders")
        let shards = try catalog.shards(streamID: stream.id)
        #expect(shards.map(\.lineage) == [ShardLineage(shardID: "parent"), ShardLineage(shardID: "child", parentShardID: "parent")])
        let merged = try catalog.ensureShard(
            streamID: stream.id,
            shardID: "merged",
            parentShardID: "child",
            adjacentParentShardID: "parent",
            dedupe: .eventID,
            now: 3
        )
        #expect(merged.adjacentParentShardID == "parent")
    }
}
