import AWSCore
import Foundation
import Testing

@testable import StreamSources

struct JSONSlicerTests {
    @Test func slicesRecordsByteForByte() throws {
        let records = [
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"SequenceNumber":"100","Keys":{"pk":{"S":"a]}\"{["}}}}"#,
            #"{ "eventID" : "2", "eventName":"REMOVE" ,"dynamodb" : {"SequenceNumber":"200","Keys":{"n":{"N":"1.50"}},"ApproximateCreationDateTime":1.7e9}}"#,
        ]
        let answer = #"{"NextShardIterator": "it-2", "Records" : [ "# + records.joined(separator: " ,\n ") + "\n] }"
        let output = try DynamoDBStreamsClient.decodeGetRecords(Array(answer.utf8))
        #expect(output.records.map { String(decoding: $0.raw, as: UTF8.self) } == records)
        #expect(output.records.map(\.sequenceNumber) == ["100", "200"])
        #expect(output.records.map(\.eventName) == ["INSERT", "REMOVE"])
        #expect(output.records[1].approximateCreationDateTime == 1.7e9)
        #expect(output.nextShardIterator == "it-2")
        #expect(!output.isShardDrained)
    }

    @Test func missingOrNullIteratorMeansDrained() throws {
        #expect(try DynamoDBStreamsClient.decodeGetRecords(Array(#"{"Records":[]}"#.utf8)).isShardDrained)
        #expect(try DynamoDBStreamsClient.decodeGetRecords(Array(#"{"Records":[],"NextShardIterator":null}"#.utf8)).isShardDrained)
    }

    @Test func kinesisAnswerKeepsRawRecordsAndDecodesMetadata() throws {
        let payload = #"{"eventName":"INSERT"}"#
        let record =
            #"{"SequenceNumber":"4960","ApproximateArrivalTimestamp":1700000000.123,"Data":"\#(Data(payload.utf8).base64EncodedString())","PartitionKey":"pk\"1"}"#
        let answer =
            #"{"Records":[\#(record)],"NextShardIterator":"n","MillisBehindLatest":42,"ChildShards":[{"ShardId":"shardId-2","ParentShards":["shardId-1"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"}}]}"#
        let output = try KinesisClient.decodeGetRecords(Array(answer.utf8))
        #expect(output.records.count == 1)
        #expect(String(decoding: output.records[0].raw, as: UTF8.self) == record)
        #expect(output.records[0].data == Data(payload.utf8))
        #expect(output.records[0].partitionKey == "pk\"1")
        #expect(output.records[0].approximateArrivalTimestamp == 1_700_000_000.123)
        #expect(output.millisBehindLatest == 42)
        #expect(output.childShards == [KinesisChildShard(shardID: "shardId-2", parentShards: ["shardId-1"])])
    }

    @Test(arguments: [#"{"Records":[{"a":1}"#, #"{"Records":["unterminated]}"#, "<html>500</html>", #"{"Records":[1 2]}"#, ""])
    func malformedAnswersAreInvalidResponse(_ text: String) {
        #expect {
            try DynamoDBStreamsClient.decodeGetRecords(Array(text.utf8))
        } throws: { error in
            (error as? AWSError)?.code == .invalidResponse
        }
    }

    @Test func recordWithoutSequenceNumberIsInvalidResponse() {
        #expect {
            try DynamoDBStreamsClient.decodeGetRecords(Array(#"{"Records":[{"eventID":"1","eventName":"INSERT","dynamodb":{}}]}"#.utf8))
        } throws: { error in
            (error as? AWSError)?.code == .invalidResponse && "\(error)".contains("Record 0")
        }
    }
}
