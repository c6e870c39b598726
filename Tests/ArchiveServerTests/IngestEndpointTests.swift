import ArchiveServer
import ArchiveStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import StreamModel
import StreamVaultTesting
import Testing

/// POST /ingest/<stream>: committed before the answer, stored once on retry, bad bodies refused whole.
struct IngestEndpointTests {
    @Test(arguments: [nil, "shardId-00000001767225600000-aaaaaaaa"])
    func aRetriedBatchIsStoredOnce(_ shard: String?) async throws {
        let archive = try ServedArchive()
        let lines = SampleFiles.lines(records: 50, shards: 1)
        let first = try await archive.ingest(lines, shard: shard)
        #expect(first == .init(records: 50, archived: 50, duplicates: 0))
        let again = try await archive.ingest(lines, shard: shard)
        #expect(again == .init(records: 50, archived: 0, duplicates: 50))
        // Committed before the answer: a fresh catalog connection sees every record once.
        let reader = try Catalog(path: archive.layout.catalogPath, access: .readOnly)
        let stream = try reader.requireStream("orders")
        #expect(try reader.totals(streamID: stream.id).records == 50)
    }

    @Test func aLambdaKinesisBatchIsArchivedInTheKinesisShapeAndServedBack() async throws {
        let archive = try ServedArchive()
        // Lambda Kinesis records made from native ones by the conversion code.
        var converter = RecordConverter(from: .native, to: .lambdaKinesis, options: ConversionOptions(tableName: "orders"))
        let native = SampleFiles.lines(records: 20, shards: 1)
        let kinesis = try native.map { String(decoding: try converter.convert(Array($0.utf8)), as: UTF8.self) }
        let outcome = try await archive.ingest(kinesis, stream: "cdc")
        #expect(outcome.archived == 20)
        #expect(try await archive.ingest(kinesis, stream: "cdc").duplicates == 20)
        let iterator = try await archive.ok(
            .kinesis,
            "GetShardIterator",
            ["StreamName": "cdc", "ShardId": "shardId-00000000000000000000-default", "ShardIteratorType": "TRIM_HORIZON"]
        )
        let page = try await archive.ok(.kinesis, "GetRecords", ["ShardIterator": iterator["ShardIterator"]!])
        let records = try #require(page["Records"] as? [[String: Any]])
        #expect(records.count == 20)
        // And the DynamoDB Streams API gives them back in the native shape.
        let arn = try await archive.streamARN()
        let ddb = try await archive.ok(
            .dynamoDBStreams,
            "GetShardIterator",
            ["StreamArn": arn, "ShardId": "shardId-00000000000000000000-default", "ShardIteratorType": "TRIM_HORIZON"]
        )
        let nativePage = try await archive.ok(.dynamoDBStreams, "GetRecords", ["ShardIterator": ddb["ShardIterator"]!])
        let nativeRecords = try #require(nativePage["Records"] as? [[String: Any]])
        #expect(nativeRecords.map { $0["eventID"] as? String } == native.map { eventID($0) })
    }

    @Test func aBadRecordRefusesTheWholeBatchNamingRecordAndField() async throws {
        let archive = try ServedArchive()
        var lines = SampleFiles.lines(records: 3, shards: 1)
        lines[1] = lines[1].replacingOccurrences(of: "\"Keys\":", with: "\"Kees\":")
        await #expect {
            try await archive.ingest(lines)
        } throws: { error in
            guard let error = error as? IngestError else { return false }
            return error.code == .badRequest && error.message.contains("Record 2") && error.message.contains("Records[1]")
        }
        #expect(try archive.catalog.stream(named: "orders").map { try archive.catalog.totals(streamID: $0.id).records } ?? 0 == 0)
    }

    @Test func httpStatusesForTooLargeReadOnlyAndBadBodies() async throws {
        let archive = try ServedArchive(maxBodyBytes: 4096)
        let readOnly = try ServedArchive(readOnly: true)
        let registry = PrometheusCollectorRegistry()
        let app = Application(router: ArchiveHTTPServer.router(registry: registry, routes: ArchiveRoutes(api: archive.api, ingest: archive.ingest)))
        let small = "{\"Records\":[" + SampleFiles.lines(records: 1, shards: 1)[0] + "]}"
        try await app.test(.router) { client in
            try await client.execute(uri: "/ingest/orders", method: .post, body: ByteBuffer(string: small)) { response in
                #expect(response.status == .ok)
            }
            let big = "{\"Records\":[" + SampleFiles.lines(records: 10, shards: 1).joined(separator: ",") + "]}"
            try await client.execute(uri: "/ingest/orders", method: .post, body: ByteBuffer(string: big)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("--max-body-bytes"))
            }
            try await client.execute(uri: "/ingest/orders", method: .post, body: ByteBuffer(string: "{\"Records\":[{]}")) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/ingest/..", method: .post, body: ByteBuffer(string: small)) { response in
                #expect(response.status == .badRequest || response.status == .notFound)
            }
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(
                uri: "/",
                method: .post,
                headers: [HTTPField.Name("X-Amz-Target")!: "DynamoDBStreams_20120810.ListStreams"],
                body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-amz-json-1.0")
            }
            try await client.execute(uri: "/", method: .post, headers: [HTTPField.Name("X-Amz-Target")!: "Foo.Bar"], body: ByteBuffer(string: "{}")) {
                response in
                #expect(response.status == .badRequest)
                #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == "UnknownOperationException")
            }
        }
        let readOnlyApp = Application(
            router: ArchiveHTTPServer.router(registry: registry, routes: ArchiveRoutes(api: readOnly.api, ingest: readOnly.ingest))
        )
        try await readOnlyApp.test(.router) { client in
            try await client.execute(uri: "/ingest/orders", method: .post, body: ByteBuffer(string: small)) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("--read-only"))
            }
        }
    }

    @Test func theIteratorKeyIsCreatedOnceWithOwnerOnlyAccess() throws {
        let directory = try TemporaryDirectory("iterator-key")
        let first = try IteratorSigner.forArchive(root: directory.path)
        let second = try IteratorSigner.forArchive(root: directory.path)
        let iterator = ShardIterator(api: .kinesis, streamID: 1, shardRowID: 2, position: .after(SequenceNumber("42")!), issuedAtMillis: 5)
        #expect(second.open(first.seal(iterator)) == iterator)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.file(".iterator-key"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int) == 32)
    }
}
