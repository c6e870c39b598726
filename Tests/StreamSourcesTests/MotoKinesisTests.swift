import AWSCore
import AsyncHTTPClient
import Foundation
import StreamModel
import StreamSources
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(1)))
struct MotoKinesisTests {
    /// Kinesis Data Streams for DynamoDB payloads (the `Data` of each Kinesis record).
    static let payloads = (1...6).map { index in
        #"{"awsRegion":"us-east-1","eventID":"evt-\#(index)","eventName":"INSERT","userIdentity":null,"recordFormat":"application/json","tableName":"orders","dynamodb":{"ApproximateCreationDateTime":1700000000000\#(index),"Keys":{"pk":{"S":"k\#(index)"}},"NewImage":{"pk":{"S":"k\#(index)"},"n":{"N":"1.0\#(index)"}},"SizeBytes":\#(20 + index)},"eventSource":"aws:dynamodb"}"#
    }

    @Test func listsShardsAndReadsRecordsLikeBoto3() async throws {
        try await MotoServer.with { endpoint in
            let setup = try await MotoServer.python(MotoScripts.boto, ["kinesis-setup", endpoint, "orders-cdc"] + Self.payloads)
            let puts = try #require((try JSONSerialization.jsonObject(with: setup) as? [String: Any])?["puts"] as? [[String: String]])
            #expect(puts.count == Self.payloads.count)

            let kinesis = KinesisClient(client: AWSJSONClient(service: .kinesis, environment: try localEnvironment(endpoint), httpClient: .shared))
            // moto rejects a NextToken without the StreamName AWS forbids next to it, so paging is covered by ScriptedServerTests.
            let shards = try await kinesis.listShards(stream: "orders-cdc")
            #expect(shards.count == 2)
            #expect(Set(shards.map(\.shardID)) == Set(puts.compactMap { $0["ShardId"] }))
            #expect(shards.allSatisfy { !$0.isClosed && $0.startingHashKey != nil })
            #expect(ShardPlanner.plan(shards: shards.map(\.lineage), drained: []).readable == shards.map(\.shardID))

            var payloadsRead: [String] = []
            for shard in shards {
                let iterator = try await kinesis.getShardIterator(stream: "orders-cdc", shardID: shard.shardID, position: .trimHorizon)
                let page = try await kinesis.getRecords(shardIterator: iterator)
                let expected = puts.filter { $0["ShardId"] == shard.shardID }
                #expect(page.records.map(\.sequenceNumber) == expected.compactMap { $0["SequenceNumber"] })
                #expect(page.records.map(\.partitionKey) == expected.compactMap { $0["PartitionKey"] })
                #expect(page.nextShardIterator != nil)
                #expect(page.millisBehindLatest != nil)
                payloadsRead += page.records.map { String(decoding: $0.data, as: UTF8.self) }

                let botoOutput = try await MotoServer.python(
                    MotoScripts.boto,
                    ["kinesis-records", endpoint, "orders-cdc", shard.shardID]
                )
                let botoRecords = try #require(try JSONSerialization.jsonObject(with: botoOutput) as? [Any])
                #expect(botoRecords.count == page.records.count)
                for (ours, theirs) in zip(page.records, botoRecords) {
                    #expect(try canonicalJSON(ours.raw) == canonicalJSON(try JSONSerialization.data(withJSONObject: theirs)))
                }
            }
            #expect(payloadsRead.sorted() == Self.payloads.sorted())
        }
    }

    @Test func startsIteratorsAtATimestampOrASequenceNumber() async throws {
        try await MotoServer.with { endpoint in
            let setup = try await MotoServer.python(MotoScripts.boto, ["kinesis-setup", endpoint, "ts"] + Self.payloads)
            let puts = try #require((try JSONSerialization.jsonObject(with: setup) as? [String: Any])?["puts"] as? [[String: String]])
            let kinesis = KinesisClient(client: AWSJSONClient(service: .kinesis, environment: try localEnvironment(endpoint), httpClient: .shared))
            let shardID = try #require(puts.first?["ShardId"])
            let inShard = puts.filter { $0["ShardId"] == shardID }.compactMap { $0["SequenceNumber"] }

            let past = try await kinesis.getShardIterator(stream: "ts", shardID: shardID, position: .atTimestamp(Date(timeIntervalSinceNow: -3600)))
            #expect(try await kinesis.getRecords(shardIterator: past).records.map(\.sequenceNumber) == inShard)
            let future = try await kinesis.getShardIterator(stream: "ts", shardID: shardID, position: .atTimestamp(Date(timeIntervalSinceNow: 3600)))
            #expect(try await kinesis.getRecords(shardIterator: future).records.isEmpty)

            let after = try await kinesis.getShardIterator(stream: "ts", shardID: shardID, position: .afterSequenceNumber(inShard[0]))
            #expect(try await kinesis.getRecords(shardIterator: after).records.map(\.sequenceNumber) == Array(inShard.dropFirst()))
            let limited = try await kinesis.getShardIterator(stream: "ts", shardID: shardID, position: .trimHorizon)
            #expect(try await kinesis.getRecords(shardIterator: limited, limit: 1).records.count == 1)
        }
    }

    @Test func shardReaderResumesFromACheckpoint() async throws {
        try await MotoServer.with { endpoint in
            let setup = try await MotoServer.python(MotoScripts.boto, ["kinesis-setup", endpoint, "reader"] + Self.payloads)
            let puts = try #require((try JSONSerialization.jsonObject(with: setup) as? [String: Any])?["puts"] as? [[String: String]])
            // The shard that got the most records (the partition keys spread 6 records over 2 shards).
            let byShard = Dictionary(grouping: puts, by: { $0["ShardId"] ?? "" })
            let (shardID, shardPuts) = try #require(byShard.max { $0.value.count < $1.value.count })
            let inShard = shardPuts.compactMap { $0["SequenceNumber"] }
            try #require(inShard.count >= 2)
            let kinesis = KinesisClient(client: AWSJSONClient(service: .kinesis, environment: try localEnvironment(endpoint), httpClient: .shared))

            var fromStart = ShardReader.kinesis(api: kinesis, stream: "reader", shardID: shardID, checkpoint: nil, clock: TestClock())
                .makeAsyncIterator()
            guard case .records(let all, let lag) = try await fromStart.next() else {
                Issue.record("expected records")
                return
            }
            #expect(all.map(\.sequenceNumber) == inShard)
            #expect(lag != nil)

            var resumed = ShardReader.kinesis(api: kinesis, stream: "reader", shardID: shardID, checkpoint: inShard[0], clock: TestClock())
                .makeAsyncIterator()
            guard case .records(let rest, _) = try await resumed.next() else {
                Issue.record("expected records after the checkpoint")
                return
            }
            #expect(rest.map(\.sequenceNumber) == Array(inShard.dropFirst()))
        }
    }

    @Test func unknownStreamIsResourceNotFound() async throws {
        try await MotoServer.with { endpoint in
            let kinesis = KinesisClient(
                client: AWSJSONClient(
                    service: .kinesis,
                    environment: try localEnvironment(endpoint),
                    httpClient: .shared,
                    configuration: .init(retry: .none)
                )
            )
            await #expect {
                try await kinesis.listShards(stream: "nope")
            } throws: { error in
                (error as? AWSError)?.code == .resourceNotFound
            }
        }
    }
}
