import ArchiveServer
import Foundation
import StreamVaultTesting
import Testing

/// The Kinesis API over the same lineage: records in the Kinesis shape, ChildShards, AT_TIMESTAMP, paging.
struct KinesisAPITests {
    typealias Lineage = DynamoDBStreamsAPITests

    @Test func readsTheParentToItsEndWithChildShardsAndConvertedRecords() async throws {
        let archive = try ServedArchive()
        let (parentLines, _) = try await Lineage.lineage(archive)
        let start = try await archive.ok(
            .kinesis,
            "GetShardIterator",
            ["StreamName": "orders", "ShardId": Lineage.parent, "ShardIteratorType": "TRIM_HORIZON"]
        )
        let (records, last) = try await archive.drain(.kinesis, iterator: try #require(start["ShardIterator"] as? String), limit: 1000)
        #expect(records.count == parentLines.count)
        #expect(last["NextShardIterator"] == nil)
        #expect(last["MillisBehindLatest"] as? Int == 0)
        let children = try #require(last["ChildShards"] as? [[String: Any]])
        #expect(children.map { $0["ShardId"] as? String } == [Lineage.child])
        #expect(children.first?["ParentShards"] as? [String] == [Lineage.parent])
        // Each record: the same sequence number, Data a Kinesis Data Streams for DynamoDB payload with the same eventID.
        for (record, line) in zip(records, parentLines) {
            #expect(record["SequenceNumber"] as? String == (try Lineage.sequence(line)))
            let text = try #require(record["Data"] as? String)
            let data = try #require(Data(base64Encoded: text))
            let payload = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(payload["eventID"] as? String == eventID(line))
            #expect(payload["tableName"] as? String == "orders")
        }
    }

    @Test func atTimestampStartsAtTheFirstRecordAtOrAfterTheTime() async throws {
        let archive = try ServedArchive()
        let (parentLines, _) = try await Lineage.lineage(archive)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(parentLines[100].utf8)) as? [String: Any])
        let seconds = try #require((object["dynamodb"] as? [String: Any])?["ApproximateCreationDateTime"] as? Double)
        let iterator = try await archive.ok(
            .kinesis,
            "GetShardIterator",
            ["StreamName": "orders", "ShardId": Lineage.parent, "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": seconds]
        )
        let page = try await archive.ok(.kinesis, "GetRecords", ["ShardIterator": iterator["ShardIterator"]!, "Limit": 1])
        let first = try #require((page["Records"] as? [[String: Any]])?.first)
        // Records with the same second may precede it; the first returned is never later than record 100.
        let got = try #require(first["SequenceNumber"] as? String)
        let index = try #require(try parentLines.firstIndex { try Lineage.sequence($0) == got })
        #expect(index <= 100)
        let before = try #require(try JSONSerialization.jsonObject(with: Data(parentLines[max(index - 1, 0)].utf8)) as? [String: Any])
        let beforeSeconds = try #require((before["dynamodb"] as? [String: Any])?["ApproximateCreationDateTime"] as? Double)
        #expect(index == 0 || beforeSeconds < seconds)
        #expect(page["MillisBehindLatest"] as? Int ?? 0 > 0)
    }

    @Test func listShardsPagesWithNextTokenAndFilters() async throws {
        let archive = try ServedArchive()
        _ = try await Lineage.lineage(archive)
        let first = try await archive.ok(.kinesis, "ListShards", ["StreamName": "orders", "MaxResults": 1])
        #expect((first["Shards"] as? [[String: Any]])?.map { $0["ShardId"] as? String } == [Lineage.parent])
        let token = try #require(first["NextToken"] as? String)
        let second = try await archive.ok(.kinesis, "ListShards", ["NextToken": token])
        let shards = try #require(second["Shards"] as? [[String: Any]])
        #expect(shards.map { $0["ShardId"] as? String } == [Lineage.child])
        #expect(shards.first?["ParentShardId"] as? String == Lineage.parent)
        let open = try await archive.ok(.kinesis, "ListShards", ["StreamName": "orders", "ShardFilter": ["Type": "AT_LATEST"]])
        #expect((open["Shards"] as? [[String: Any]])?.map { $0["ShardId"] as? String } == [Lineage.child])
        let summary = try await archive.ok(.kinesis, "DescribeStreamSummary", ["StreamName": "orders"])
        #expect((summary["StreamDescriptionSummary"] as? [String: Any])?["OpenShardCount"] as? Int == 1)
        let described = try await archive.ok(.kinesis, "DescribeStream", ["StreamName": "orders", "Limit": 1])
        let description = try #require(described["StreamDescription"] as? [String: Any])
        #expect(description["HasMoreShards"] as? Bool == true)
        let listed = try await archive.ok(.kinesis, "ListStreams", [:])
        #expect(listed["StreamNames"] as? [String] == ["orders"])
    }
}

func eventID(_ line: String) -> String {
    let start = line.range(of: "\"eventID\":\"")!.upperBound
    return String(line[start...].prefix { $0 != "\"" })
}
