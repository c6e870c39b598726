import AWSCore
import ArchiveStore
import Foundation
import StreamModel
import StreamSources
import StreamVaultTesting
import Testing

/// A Kinesis stream that split and merged: A -> (B, C) split, then B + C -> D merge. Scripted, because moto
/// cannot merge shards, and because the order of the calls is what is under test.
@Suite(.timeLimit(.minutes(1)))
struct ArchiverLineageTests {
    /// Listed children first, so that the order comes from the lineage, not from the listing.
    static let listShards = #"""
        {"Shards":[
        {"ShardId":"shard-D","ParentShardId":"shard-B","AdjacentParentShardId":"shard-C","SequenceNumberRange":{"StartingSequenceNumber":"400"}},
        {"ShardId":"shard-C","ParentShardId":"shard-A","SequenceNumberRange":{"StartingSequenceNumber":"300","EndingSequenceNumber":"399"}},
        {"ShardId":"shard-B","ParentShardId":"shard-A","SequenceNumberRange":{"StartingSequenceNumber":"200","EndingSequenceNumber":"299"}},
        {"ShardId":"shard-A","SequenceNumberRange":{"StartingSequenceNumber":"100","EndingSequenceNumber":"199"}}]}
        """#

    /// A Kinesis GetRecords item carrying a DynamoDB change.
    static func record(_ sequence: Int, _ key: String) -> String {
        let change = #"""
            {"awsRegion":"us-east-1","eventID":"event-\#(key)","eventName":"INSERT","recordFormat":"application/json","tableName":"orders","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":\#(1_767_225_600_000 + sequence),"Keys":{"pk":{"S":"\#(key)"}},"NewImage":{"pk":{"S":"\#(key)"}},"SizeBytes":10}}
            """#
        return
            #"{"SequenceNumber":"\#(sequence)","ApproximateArrivalTimestamp":1767225600.5,"Data":"\#(Data(change.utf8).base64EncodedString())","PartitionKey":"\#(key)"}"#
    }

    static func page(_ records: [String], next: String?) -> ScriptedServer.Answer {
        let nextMember = next.map { #","NextShardIterator":"\#($0)""# } ?? ""
        return .ok(#"{"Records":[\#(records.joined(separator: ","))],"MillisBehindLatest":0\#(nextMember)}"#)
    }

    @Test func mergedShardIsReadAfterBothParentsAndBothParentsAreArchived() async throws {
        let storage = try TemporaryDirectory("lineage")
        var summary: ArchiveSummary?
        let received = try await ScriptedServer.run([
            // Round 1: only the root may be read.
            .ok(Self.listShards), .ok(#"{"ShardIterator":"it-A"}"#), Self.page([Self.record(100, "a")], next: nil),
            // Round 2: both halves of the split; C is caught up but still open, B is drained.
            .ok(Self.listShards), .ok(#"{"ShardIterator":"it-C"}"#), Self.page([Self.record(300, "c")], next: "it-C2"),
            Self.page([], next: "it-C3"),
            .ok(#"{"ShardIterator":"it-B"}"#), Self.page([Self.record(200, "b")], next: nil),
            // Round 3: one parent of D is drained, the other is not: D must still wait; C is drained now.
            .ok(Self.listShards), Self.page([], next: nil),
            // Round 4: D, once both parents are drained.
            .ok(Self.listShards), .ok(#"{"ShardIterator":"it-D"}"#), Self.page([Self.record(400, "d")], next: "it-D2"),
            Self.page([], next: "it-D3"),
        ]) { endpoint in
            let aws = try LocalAWS(endpoint, retry: .none)
            // One reader at a time: the scripted answers come in a fixed order (parallel reading: ArchiverParallelTests).
            summary = try await archiveOnce(.kinesis("orders-cdc", api: aws.kinesis), stream: "orders", storage: storage.path, maxShardReaders: 1)
        }
        let calls = received.map { request -> String in
            let operation = request.target?.split(separator: ".").last.map(String.init) ?? "?"
            guard let shard = request.body.firstMatch(of: /"ShardId":"([^"]+)"/)?.1 else {
                return request.body.firstMatch(of: /"ShardIterator":"([^"]+)"/).map { "\(operation) \($0.1)" } ?? operation
            }
            return "\(operation) \(shard)"
        }
        #expect(
            calls == [
                "ListShards", "GetShardIterator shard-A", "GetRecords it-A",
                "ListShards", "GetShardIterator shard-C", "GetRecords it-C", "GetRecords it-C2", "GetShardIterator shard-B", "GetRecords it-B",
                "ListShards", "GetRecords it-C3",
                "ListShards", "GetShardIterator shard-D", "GetRecords it-D", "GetRecords it-D2",
            ]
        )
        #expect(summary?.records == 4)
        #expect(summary?.shardsDrained == 3)

        let catalog = try Catalog(path: StorageLayout(root: storage.path).catalogPath)
        let shards = try catalog.shards(streamID: try catalog.requireStream("orders").id)
        let merged = try #require(shards.first { $0.shardID == "shard-D" })
        #expect(merged.parentShardID == "shard-B")
        #expect(merged.adjacentParentShardID == "shard-C", "the merge's second parent must be archived too")
        #expect(merged.lineage == ShardLineage(shardID: "shard-D", parentShardID: "shard-B", adjacentParentShardID: "shard-C"))
        // Replay reads shards in this order: every parent before its children.
        let order = shards.map(\.shardID)
        for shard in shards {
            for parent in shard.lineage.parents {
                #expect(order.firstIndex(of: parent)! < order.firstIndex(of: shard.shardID)!, "\(parent) must come before \(shard.shardID)")
            }
        }
        #expect(try archivedRecords(storage: storage.path, stream: "orders").map(\.shard) == order)
    }
}
