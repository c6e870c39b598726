import ArchiveServer
import Foundation
import StreamVaultTesting
import Testing

/// The DynamoDB Streams API over an archive with a parent and a child shard, ingested through the endpoint.
struct DynamoDBStreamsAPITests {
    static let parent = "shardId-00000001767225600000-aaaaaaaa"
    static let child = "shardId-00000001767229200000-bbbbbbbb"

    /// 300 records in the parent, 200 in the child; returns both shards' lines.
    static func lineage(_ archive: ServedArchive) async throws -> (parent: [String], child: [String]) {
        let lines = SampleFiles.lines(records: 500, shards: 2)
        let parentLines = Array(lines.enumerated().filter { $0.offset % 2 == 0 }.map(\.element).prefix(300))
        let childLines = Array(lines.enumerated().filter { $0.offset % 2 == 1 }.map(\.element).prefix(200))
        try await archive.ingest(parentLines, shard: parent)
        try await archive.ingest(childLines, shard: child, parent: parent)
        return (parentLines, childLines)
    }

    static func sequence(_ line: String) throws -> String {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let dynamodb = try #require(object["dynamodb"] as? [String: Any])
        return try #require(dynamodb["SequenceNumber"] as? String)
    }

    static func canonical(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func describesLineageAndReadsEveryShardToItsEnd() async throws {
        let archive = try ServedArchive()
        let (parentLines, childLines) = try await Self.lineage(archive)
        let arn = try await archive.streamARN()
        let described = try await archive.ok(.dynamoDBStreams, "DescribeStream", ["StreamArn": arn])
        let description = try #require(described["StreamDescription"] as? [String: Any])
        #expect(description["StreamStatus"] as? String == "ENABLED")
        let shards = try #require(description["Shards"] as? [[String: Any]])
        #expect(shards.map { $0["ShardId"] as? String } == [Self.parent, Self.child])
        #expect(shards[1]["ParentShardId"] as? String == Self.parent)
        let parentRange = try #require(shards[0]["SequenceNumberRange"] as? [String: String])
        #expect(parentRange["StartingSequenceNumber"] == (try Self.sequence(parentLines[0])))
        #expect(parentRange["EndingSequenceNumber"] == (try Self.sequence(parentLines.last!)), "a parent with a child is closed")
        let childRange = try #require(shards[1]["SequenceNumberRange"] as? [String: String])
        #expect(childRange["EndingSequenceNumber"] == nil, "the child is still open")

        for (shard, lines, closed) in [(Self.parent, parentLines, true), (Self.child, childLines, false)] {
            let start = try await archive.ok(
                .dynamoDBStreams,
                "GetShardIterator",
                ["StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"]
            )
            let (records, last) = try await archive.drain(.dynamoDBStreams, iterator: try #require(start["ShardIterator"] as? String), limit: 70)
            #expect(try records.map(Self.canonical) == lines.map { try Self.canonical(JSONSerialization.jsonObject(with: Data($0.utf8))) })
            #expect((last["NextShardIterator"] == nil) == closed, "only a closed shard's end has no NextShardIterator")
        }
    }

    @Test func sequenceNumberAndLatestIteratorsStartWhereAWSWould() async throws {
        let archive = try ServedArchive()
        let (parentLines, _) = try await Self.lineage(archive)
        let arn = try await archive.streamARN()
        let tenth = try Self.sequence(parentLines[10])
        for (type, first) in [("AT_SEQUENCE_NUMBER", 10), ("AFTER_SEQUENCE_NUMBER", 11)] {
            let iterator = try await archive.ok(
                .dynamoDBStreams,
                "GetShardIterator",
                ["StreamArn": arn, "ShardId": Self.parent, "ShardIteratorType": type, "SequenceNumber": tenth]
            )
            let page = try await archive.ok(.dynamoDBStreams, "GetRecords", ["ShardIterator": iterator["ShardIterator"]!, "Limit": 1])
            let records = try #require(page["Records"] as? [[String: Any]])
            #expect(records.count == 1)
            #expect(((records.first?["dynamodb"] as? [String: Any])?["SequenceNumber"] as? String) == (try Self.sequence(parentLines[first])))
        }
        // LATEST on the open child: nothing now, then what is ingested afterwards.
        let latest = try await archive.ok(
            .dynamoDBStreams,
            "GetShardIterator",
            ["StreamArn": arn, "ShardId": Self.child, "ShardIteratorType": "LATEST"]
        )
        let empty = try await archive.ok(.dynamoDBStreams, "GetRecords", ["ShardIterator": latest["ShardIterator"]!])
        #expect((empty["Records"] as? [Any])?.isEmpty == true)
        let more = SampleFiles.lines(records: 900, shards: 2).enumerated().filter { $0.offset % 2 == 1 }.map(\.element)[200..<210]
        try await archive.ingest(Array(more), shard: Self.child)
        let next = try #require(empty["NextShardIterator"] as? String)
        let fresh = try await archive.ok(.dynamoDBStreams, "GetRecords", ["ShardIterator": next])
        #expect((fresh["Records"] as? [Any])?.count == 10)
    }

    @Test func listStreamsFiltersByTableAndPages() async throws {
        let archive = try ServedArchive()
        let lines = SampleFiles.lines(records: 10, shards: 1)
        for stream in ["a-orders", "b-orders", "c-orders"] { try await archive.ingest(lines, stream: stream) }
        let first = try await archive.ok(.dynamoDBStreams, "ListStreams", ["Limit": 2])
        #expect((first["Streams"] as? [Any])?.count == 2)
        let after = try #require(first["LastEvaluatedStreamArn"] as? String)
        let second = try await archive.ok(.dynamoDBStreams, "ListStreams", ["Limit": 2, "ExclusiveStartStreamArn": after])
        #expect((second["Streams"] as? [[String: Any]])?.count == 1 && second["LastEvaluatedStreamArn"] == nil)
        let filtered = try await archive.ok(.dynamoDBStreams, "ListStreams", ["TableName": "b-orders"])
        #expect((filtered["Streams"] as? [[String: Any]])?.map { $0["TableName"] as? String } == ["b-orders"])
    }

    @Test func pagesStayUnderOneMegabyteAndLoseNothing() async throws {
        let archive = try ServedArchive()
        // Records of about 40 KB: 1000 of them would be 40 MB; each page must stop near 1 MB.
        let padding = String(repeating: "x", count: 40_000)
        let lines = SampleFiles.lines(records: 120, shards: 1).map {
            $0.replacingOccurrences(of: "\"NewImage\":{", with: "\"NewImage\":{\"padding\":{\"S\":\"\(padding)\"},")
        }
        try await archive.ingest(lines, shard: Self.parent)
        let arn = try await archive.streamARN()
        let start = try await archive.ok(
            .dynamoDBStreams,
            "GetShardIterator",
            ["StreamArn": arn, "ShardId": Self.parent, "ShardIteratorType": "TRIM_HORIZON"]
        )
        var iterator = start["ShardIterator"] as? String
        var seen = 0
        var pages = 0
        while let current = iterator {
            let (status, json, raw) = try await archive.call(.dynamoDBStreams, "GetRecords", ["ShardIterator": current])
            #expect(status == 200)
            #expect(raw.count <= 1 << 20 + 1024)
            let count = (json["Records"] as? [Any])?.count ?? 0
            if count == 0 { break }
            seen += count
            pages += 1
            iterator = json["NextShardIterator"] as? String
        }
        #expect(seen == 120)
        #expect(pages >= 5)
    }
}
