import AWSCore
import AsyncHTTPClient
import Foundation
import StreamModel
import StreamSources
import StreamVaultTesting
import Testing

/// Canonical form of a JSON value (sorted keys) so two serializations of the same record compare equal.
func canonicalJSON(_ data: Data) throws -> String {
    let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
}

/// An ``AWSEnvironment`` pointing at a local endpoint with moto's dummy credentials.
func localEnvironment(_ endpoint: String) throws -> AWSEnvironment {
    try AWSEnvironment.resolve(
        environment: ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing", "AWS_REGION": "us-east-1"],
        endpointURL: endpoint,
        readFile: { _ in nil }
    )
}

@Suite(.timeLimit(.minutes(1)))
struct MotoDynamoDBStreamsTests {
    @Test func readsTheSameRecordsAsBoto3() async throws {
        try await MotoServer.with { endpoint in
            let setup = try await MotoServer.python(MotoScripts.boto, ["dynamodb-setup", endpoint, "orders"])
            let arn = try #require(try JSONSerialization.jsonObject(with: setup) as? [String: String])["streamArn"]
            let aws = try localEnvironment(endpoint)
            let http = HTTPClient.shared
            let dynamodb = DynamoDBClient(client: AWSJSONClient(service: .dynamoDB, environment: aws, httpClient: http))
            let streams = DynamoDBStreamsClient(client: AWSJSONClient(service: .dynamoDBStreams, environment: aws, httpClient: http))

            #expect(try await dynamodb.latestStreamARN(tableName: "orders") == arn)
            let tableStream = try await dynamodb.describeTableStream(tableName: "orders")
            #expect(tableStream.streamViewType == "NEW_AND_OLD_IMAGES")
            #expect(try await streams.listStreams(tableName: "orders").map(\.streamARN) == [arn])

            let description = try await streams.describeStream(streamARN: try #require(arn))
            #expect(description.tableName == "orders")
            #expect(description.streamViewType == "NEW_AND_OLD_IMAGES")
            #expect(description.shards.count == 1)  // moto: one shard that never closes
            let shard = try #require(description.shards.first)
            #expect(!shard.isClosed)
            #expect(ShardPlanner.plan(shards: description.shards.map(\.lineage), drained: []).readable == [shard.shardID])

            let iterator = try await streams.getShardIterator(streamARN: description.streamARN, shardID: shard.shardID, position: .trimHorizon)
            let page = try await streams.getRecords(shardIterator: iterator, limit: 1000)
            #expect(page.records.map(\.eventName) == ["INSERT", "MODIFY", "INSERT", "REMOVE"])
            #expect(Set(page.records.map(\.eventID)).count == 4)
            #expect(page.records.allSatisfy { ($0.approximateCreationDateTime ?? 0) > 1_600_000_000 })
            let sequenceNumbers = page.records.map(\.sequenceNumber)
            #expect(sequenceNumbers.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) })

            // What boto3 received for the same call, record by record.
            let botoOutput = try await MotoServer.python(MotoScripts.boto, ["dynamodb-records", endpoint, description.streamARN])
            let botoRecords = try #require(try JSONSerialization.jsonObject(with: botoOutput) as? [Any])
            #expect(botoRecords.count == page.records.count)
            for (ours, theirs) in zip(page.records, botoRecords) {
                let theirData = try JSONSerialization.data(withJSONObject: theirs)
                #expect(try canonicalJSON(ours.raw) == canonicalJSON(theirData))
            }
            // The exact decimal survived: raw bytes were kept, never round-tripped through Double.
            #expect(String(decoding: page.records[1].raw, as: UTF8.self).contains("99999999999999999999.000000000000000001"))

            // moto never closes its shard: the next iterator is there, with nothing new behind it.
            let next = try #require(page.nextShardIterator)
            #expect(try await streams.getRecords(shardIterator: next).records.isEmpty)

            // Resume positions.
            let after = try await streams.getShardIterator(
                streamARN: description.streamARN,
                shardID: shard.shardID,
                position: .afterSequenceNumber(sequenceNumbers[1])
            )
            #expect(try await streams.getRecords(shardIterator: after).records.map(\.sequenceNumber) == Array(sequenceNumbers[2...]))
            let at = try await streams.getShardIterator(
                streamARN: description.streamARN,
                shardID: shard.shardID,
                position: .atSequenceNumber(sequenceNumbers[1])
            )
            #expect(try await streams.getRecords(shardIterator: at).records.map(\.sequenceNumber) == Array(sequenceNumbers[1...]))
            let latest = try await streams.getShardIterator(streamARN: description.streamARN, shardID: shard.shardID, position: .latest)
            #expect(try await streams.getRecords(shardIterator: latest).records.isEmpty)
        }
    }

    @Test func reportsMissingStreamsAndDisabledStreams() async throws {
        try await MotoServer.with { endpoint in
            let aws = try localEnvironment(endpoint)
            let noRetry = AWSJSONClient.Configuration(timeout: .seconds(10), retry: .none)
            let streams = DynamoDBStreamsClient(
                client: AWSJSONClient(service: .dynamoDBStreams, environment: aws, httpClient: .shared, configuration: noRetry)
            )
            await #expect {
                try await streams.describeStream(streamARN: "arn:aws:dynamodb:us-east-1:123456789012:table/none/stream/2024-01-01T00:00:00.000")
            } throws: { error in
                (error as? AWSError)?.code == .resourceNotFound
            }
            let dynamodb = DynamoDBClient(client: AWSJSONClient(service: .dynamoDB, environment: aws, httpClient: .shared, configuration: noRetry))
            await #expect {
                try await dynamodb.latestStreamARN(tableName: "missing")
            } throws: { error in
                (error as? AWSError)?.code == .resourceNotFound
            }
            // A table without a stream.
            _ = try await dynamodb.client.send(
                operation: "CreateTable",
                body: Data(
                    #"{"TableName":"plain","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}"#
                        .utf8
                )
            )
            await #expect {
                try await dynamodb.latestStreamARN(tableName: "plain")
            } throws: { error in
                (error as? AWSError)?.code == .streamDisabled && "\(error)".contains("update-table --table-name plain")
            }
        }
    }
}
