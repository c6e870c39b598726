import ArchiveStore
import Foundation
import MetricsTestKit
import StreamModel
import StreamSources
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ArchiverMotoTests {
    @Test func archivesEveryDynamoDBChangeAsBoto3ReadsItAndResumesWithoutLossOrDuplicates() async throws {
        try await MotoServer.with { endpoint in
            let setup = try await MotoServer.python(ArchiverScripts.boto, ["table", endpoint, "orders"])
            let arn = try #require((try JSONSerialization.jsonObject(with: setup) as? [String: String])?["streamArn"])
            _ = try await MotoServer.python(ArchiverScripts.boto, ["changes", endpoint, "orders", "first"])

            let aws = try LocalAWS(endpoint)
            let storage = try TemporaryDirectory("archiver")
            let metrics = TestMetrics()
            let source = ArchiverSource.dynamoDBTable("orders", dynamoDB: aws.dynamoDB, streams: aws.streams)
            let first = try await archiveOnce(source, stream: "orders", storage: storage.path, metrics: metrics)
            #expect(first.records == 5)  // 3 puts, 1 update, 1 delete
            #expect(first.duplicates == 0 && first.gaps == 0)
            try #expect(metrics.expectCounter("streamvault.archiver.records", [("stream", "orders")]).totalValue == 5)
            try await expectArchive(storage.path, equalsBotoRead: endpoint, arn: arn, count: 5)

            // Restart mid-stream: more changes, a second run picks up after the checkpoint.
            _ = try await MotoServer.python(ArchiverScripts.boto, ["changes", endpoint, "orders", "second"])
            let second = try await archiveOnce(.dynamoDBStream(arn, streams: aws.streams), stream: "orders", storage: storage.path)
            #expect(second.records == 5)
            #expect(second.duplicates == 0)
            try await expectArchive(storage.path, equalsBotoRead: endpoint, arn: arn, count: 10)

            // Nothing new: a third run archives nothing.
            let third = try await archiveOnce(source, stream: "orders", storage: storage.path)
            #expect(third.records == 0)

            let catalog = try Catalog(path: StorageLayout(root: storage.path).catalogPath)
            let stream = try catalog.requireStream("orders")
            #expect(stream.source == .dynamodbStreams)
            #expect(stream.arn == arn)
            #expect(stream.viewType == "NEW_AND_OLD_IMAGES")
            #expect(try catalog.gaps(streamID: stream.id).isEmpty)
        }
    }

    /// Record for record: each archived line is byte-for-byte a record of the GetRecords bodies boto3 received.
    private func expectArchive(_ storage: String, equalsBotoRead endpoint: String, arn: String, count: Int) async throws {
        let archived = try archivedRecords(storage: storage, stream: "orders")
        #expect(archived.count == count)
        #expect(archived.allSatisfy { $0.format == .native })
        #expect(Set(archived.map(\.shard)).count == 1)
        let output = try await MotoServer.python(ArchiverScripts.boto, ["records", endpoint, arn])
        let object = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let records = try #require(object["records"] as? [Any])
        let bodies = try #require(object["bodies"] as? [String]).joined()
        #expect(records.count == archived.count)
        for (ours, theirs) in zip(archived, records) {
            #expect(try canonicalJSON(Data(ours.line.utf8)) == canonicalJSON(JSONSerialization.data(withJSONObject: theirs)))
            #expect(bodies.contains(ours.line), "archived bytes differ from what AWS sent: \(ours.line)")
        }
        // The 38-digit number is kept as AWS sent it (never through Double).
        #expect(archived.map(\.line).contains { $0.contains("1234567890123456789012345678901234567.8") })
        #expect(Set(archived.map { eventIDOf($0.line) }).count == archived.count)
    }

    @Test func archivesKinesisRecordsKeepingOneCopyPerEventID() async throws {
        try await MotoServer.with { endpoint in
            let payloads = (0..<6).map { Self.kdsPayload(index: $0) }
            // The third change is delivered twice (same eventID, partition key, so the same shard).
            _ = try await MotoServer.python(ArchiverScripts.boto, ["kinesis", endpoint, "orders-cdc"] + payloads + [payloads[2]])

            let aws = try LocalAWS(endpoint)
            let storage = try TemporaryDirectory("archiver")
            let metrics = TestMetrics()
            let first = try await archiveOnce(.kinesis("orders-cdc", api: aws.kinesis), stream: "orders-cdc", storage: storage.path, metrics: metrics)
            #expect(first.records == 6)
            #expect(first.duplicates == 1)
            try #expect(metrics.expectCounter("streamvault.archiver.duplicates", [("stream", "orders-cdc")]).totalValue == 1)
            try await expectKinesisArchive(storage.path, endpoint: endpoint, count: 6)

            // Restart: two new changes and another redelivery of an archived one.
            let more = (6..<8).map { Self.kdsPayload(index: $0) }
            _ = try await MotoServer.python(ArchiverScripts.boto, ["kinesis", endpoint, "orders-cdc"] + more + [payloads[0]])
            let second = try await archiveOnce(.kinesis("orders-cdc", api: aws.kinesis), stream: "orders-cdc", storage: storage.path)
            #expect(second.records == 2)
            // The redelivery, plus possibly the first run's trailing redelivery read again: a dropped duplicate does not
            // move the writer's checkpoint, so a shard ending in one re-reads it after a restart (and drops it again).
            #expect((1...2).contains(second.duplicates))
            try await expectKinesisArchive(storage.path, endpoint: endpoint, count: 8)
        }
    }

    /// Per shard: the archive holds boto3's GetRecords items in order, minus later copies of an eventID.
    private func expectKinesisArchive(_ storage: String, endpoint: String, count: Int) async throws {
        let archived = try archivedRecords(storage: storage, stream: "orders-cdc")
        #expect(archived.count == count)
        #expect(archived.allSatisfy { $0.format == .kinesisRecord })
        let output = try await MotoServer.python(ArchiverScripts.boto, ["kinesis-records", endpoint, "orders-cdc"])
        let object = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let shards = try #require(object["shards"] as? [String: [[String: Any]]])
        let bodies = try #require(object["bodies"] as? [String]).joined()
        var total = 0
        for (shard, records) in shards {
            var seen = Set<String>()
            let expected = records.filter { record in
                let data = (record["Data"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
                let payload = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
                return seen.insert(payload?["eventID"] as? String ?? "").inserted
            }
            let ours = archived.filter { $0.shard == shard }
            #expect(ours.count == expected.count, "shard \(shard)")
            for (mine, theirs) in zip(ours, expected) {
                #expect(try canonicalJSON(Data(mine.line.utf8)) == canonicalJSON(JSONSerialization.data(withJSONObject: theirs)))
                #expect(bodies.contains(mine.line))
            }
            total += ours.count
        }
        #expect(total == count)
    }

    /// A Kinesis Data Streams for DynamoDB payload; odd ones give microseconds.
    static func kdsPayload(index: Int) -> String {
        let micro = index % 2 == 1
        let millis = 1_767_225_600_000 + Int64(index) * 1000
        let time = micro ? "\(millis * 1000 + 7)" : "\(millis)"
        let precision = micro ? #","ApproximateCreationDateTimePrecision":"MICROSECOND""# : ""
        return
            #"{"awsRegion":"us-east-1","eventID":"event-\#(index)","eventName":"INSERT","userIdentity":null,"recordFormat":"application/json","tableName":"orders","dynamodb":{"ApproximateCreationDateTime":\#(time)\#(precision),"Keys":{"pk":{"S":"k\#(index)"}},"NewImage":{"pk":{"S":"k\#(index)"},"n":{"N":"1234567890123456789012345678901234567.8"}},"SizeBytes":42},"eventSource":"aws:dynamodb"}"#
    }
}

func eventIDOf(_ line: String) -> String {
    ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["eventID"] as? String ?? ""
}
