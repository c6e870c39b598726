import AWSCore
import AsyncHTTPClient
import Foundation
import StreamModel
import StreamSources
import StreamVaultTesting
import Testing

/// Behaviour moto cannot produce, against a scripted HTTP server: retries, AWS error shapes, timeouts.
@Suite(.timeLimit(.minutes(1)))
struct ScriptedServerTests {
    static let oneRecord =
        #"{"Records":[{"eventID":"e1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1700000000,"Keys":{"pk":{"S":"a"}},"SequenceNumber":"000000000000000000001","SizeBytes":10,"StreamViewType":"KEYS_ONLY"}}],"NextShardIterator":"next-1"}"#

    static func streams(
        _ endpoint: String,
        clock: TestClock,
        retry: RetryPolicy = RetryPolicy(),
        timeout: Duration = .seconds(10)
    )
        throws -> DynamoDBStreamsClient
    {
        DynamoDBStreamsClient(
            client: AWSJSONClient(
                service: .dynamoDBStreams,
                environment: try localEnvironment(endpoint),
                httpClient: .shared,
                configuration: .init(timeout: timeout, retry: retry),
                clock: clock,
                jitter: { 0 }
            )
        )
    }

    @Test func retriesThrottlingAndServerErrorsThenSucceeds() async throws {
        let clock = TestClock()
        let received = try await ScriptedServer.run([
            .awsError("ProvisionedThroughputExceededException"), .awsError("LimitExceededException"), .html500, .ok(Self.oneRecord),
        ]) { endpoint in
            let page = try await Self.streams(endpoint, clock: clock).getRecords(shardIterator: "it-0", limit: 5)
            #expect(page.records.map(\.eventID) == ["e1"])
            #expect(page.nextShardIterator == "next-1")
        }
        #expect(received.count == 4)
        // Throttling backs off from 500 ms, the 5xx from 100 ms; jitter 0 gives half the cap.
        #expect(clock.sleeps == [.milliseconds(250), .milliseconds(500), .milliseconds(200)])
        for request in received {
            #expect(request.target == "DynamoDBStreams_20120810.GetRecords")
            #expect(request.contentType == "application/x-amz-json-1.0")
            #expect(request.authorization)
            #expect(request.signatureValid, "botocore computes a different SigV4 signature for what was sent")
            #expect(request.securityToken == "testing")
            #expect(request.body == #"{"Limit":5,"ShardIterator":"it-0"}"# || request.body == #"{"ShardIterator":"it-0","Limit":5}"#)
        }
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let clock = TestClock()
        let received = try await ScriptedServer.run([.awsError("ThrottlingException")]) { endpoint in
            await #expect {
                try await Self.streams(endpoint, clock: clock, retry: RetryPolicy(maxAttempts: 3)).getRecords(shardIterator: "it")
            } throws: { error in
                (error as? AWSError)?.code == .throttling
            }
        }
        #expect(received.count == 3)
        #expect(clock.sleeps.count == 2)
    }

    struct PermanentCase: Sendable, CustomTestStringConvertible {
        let type: String
        let code: AWSError.Code
        var testDescription: String { type }
    }

    @Test(arguments: [
        PermanentCase(type: "TrimmedDataAccessException", code: .trimmedData),
        PermanentCase(type: "ExpiredIteratorException", code: .expiredIterator),
        PermanentCase(type: "ResourceNotFoundException", code: .resourceNotFound),
        PermanentCase(type: "AccessDeniedException", code: .accessDenied),
        PermanentCase(type: "ValidationException", code: .validation),
    ])
    func permanentErrorsAreNotRetried(_ c: PermanentCase) async throws {
        let clock = TestClock()
        let received = try await ScriptedServer.run([.awsError(c.type, message: "scripted \(c.type)"), .ok(Self.oneRecord)]) { endpoint in
            await #expect {
                try await Self.streams(endpoint, clock: clock).getRecords(shardIterator: "it")
            } throws: { error in
                guard let error = error as? AWSError else { return false }
                return error.code == c.code && error.awsType == c.type && error.message.contains("scripted \(c.type)")
            }
        }
        #expect(received.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func timesOutSlowAnswers() async throws {
        let clock = TestClock()
        var slow = ScriptedServer.Answer.ok(Self.oneRecord)
        slow.delay = 3
        _ = try await ScriptedServer.run([slow]) { endpoint in
            let streams = try Self.streams(endpoint, clock: clock, retry: .none, timeout: .milliseconds(300))
            await #expect {
                try await streams.getRecords(shardIterator: "it")
            } throws: { error in
                // Without the client's own timer, AsyncHTTPClient (whose deadline only covers the response head)
                // was seen to return the 3 s answer successfully when the machine was loaded.
                (error as? AWSError)?.code == .connection && "\(error)".contains("timed out after 0.3 seconds")
            }
        }
    }

    @Test func connectionRefusedIsRetriedThenReported() async throws {
        // Find a port nobody listens on: start a server, note its URL, stop it.
        let server = try await ServerProcess.start(["python3", "-c", ScriptedServer.source, "[]"])
        await server.stop()
        let clock = TestClock()
        await #expect {
            // AsyncHTTPClient keeps retrying a refused connection until the deadline: a short one keeps this test quick.
            try await Self.streams(server.url, clock: clock, retry: RetryPolicy(maxAttempts: 2), timeout: .seconds(2)).getRecords(shardIterator: "it")
        } throws: { error in
            (error as? AWSError)?.code == .connection
        }
        #expect(clock.sleeps.count == 1)
    }

    @Test func describeStreamFollowsLastEvaluatedShardId() async throws {
        let page1 =
            #"{"StreamDescription":{"StreamArn":"arn:s","StreamStatus":"ENABLED","StreamViewType":"NEW_IMAGE","TableName":"t","Shards":[{"ShardId":"shardId-1","SequenceNumberRange":{"StartingSequenceNumber":"100","EndingSequenceNumber":"200"}}],"LastEvaluatedShardId":"shardId-1"}}"#
        let page2 =
            #"{"StreamDescription":{"StreamArn":"arn:s","StreamStatus":"ENABLED","StreamViewType":"NEW_IMAGE","TableName":"t","Shards":[{"ShardId":"shardId-2","ParentShardId":"shardId-1","SequenceNumberRange":{"StartingSequenceNumber":"300"}}]}}"#
        let received = try await ScriptedServer.run([.ok(page1), .ok(page2)]) { endpoint in
            let description = try await Self.streams(endpoint, clock: TestClock()).describeStream(streamARN: "arn:s", pageSize: 1)
            #expect(description.shards.map(\.shardID) == ["shardId-1", "shardId-2"])
            #expect(description.shards[0].isClosed && !description.shards[1].isClosed)
            #expect(description.shards[1].parentShardID == "shardId-1")
            let plan = ShardPlanner.plan(shards: description.shards.map(\.lineage), drained: [])
            #expect(plan.readable == ["shardId-1"] && plan.waiting == ["shardId-2": ["shardId-1"]])
        }
        #expect(received.count == 2)
        #expect(!received[0].body.contains("ExclusiveStartShardId"))
        #expect(received[1].body.contains(#""ExclusiveStartShardId":"shardId-1""#))
    }

    @Test func kinesisListShardsFollowsNextToken() async throws {
        let page1 =
            #"{"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},"SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"5"}}],"NextToken":"tok-1"}"#
        let page2 =
            #"{"Shards":[{"ShardId":"shardId-000000000001","ParentShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},"SequenceNumberRange":{"StartingSequenceNumber":"6"}}]}"#
        let received = try await ScriptedServer.run([.ok(page1), .ok(page2)]) { endpoint in
            let kinesis = KinesisClient(
                client: AWSJSONClient(service: .kinesis, environment: try localEnvironment(endpoint), httpClient: .shared, clock: TestClock())
            )
            let shards = try await kinesis.listShards(stream: "s", pageSize: 1)
            #expect(shards.map(\.shardID) == ["shardId-000000000000", "shardId-000000000001"])
            #expect(shards[1].lineage.parentShardID == "shardId-000000000000")
        }
        #expect(received.map(\.target) == ["Kinesis_20131202.ListShards", "Kinesis_20131202.ListShards"])
        #expect(received.allSatisfy { $0.contentType == "application/x-amz-json-1.1" && $0.signatureValid })
        #expect(received[0].body.contains(#""StreamName":"s""#) && !received[0].body.contains("NextToken"))
        // AWS rejects StreamName next to NextToken.
        #expect(received[1].body.contains(#""NextToken":"tok-1""#) && !received[1].body.contains("StreamName"))
    }

    @Test func kinesisExpiredIteratorIsDecoded() async throws {
        let expired = ScriptedServer.Answer(
            status: 400,
            body:
                #"{"__type":"ExpiredIteratorException","message":"Iterator expired. The iterator was created at time X while right now it is Y which is further in the future than the tolerated delay of 300000 milliseconds."}"#,
            headers: ["Content-Type": "application/x-amz-json-1.1"]
        )
        _ = try await ScriptedServer.run([expired]) { endpoint in
            let kinesis = KinesisClient(
                client: AWSJSONClient(service: .kinesis, environment: try localEnvironment(endpoint), httpClient: .shared, clock: TestClock())
            )
            await #expect {
                try await kinesis.getRecords(shardIterator: "old")
            } throws: { error in
                (error as? AWSError)?.code == .expiredIterator
            }
        }
    }
}
