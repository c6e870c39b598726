import AWSCore
import Foundation
import StreamModel
import Testing

@testable import StreamSources

/// GetRecords answers are scanned once: record bytes as AWS sent them, plus the facts the archive needs.
struct GetRecordsAnswerTests {
    static func change(_ id: String, _ sequence: String, spacing: String = "") -> String {
        #"{"eventID":\#(spacing)"\#(id)","eventName":"INSERT","eventVersion":"1.1","dynamodb":{"ApproximateCreationDateTime":1700000000.5,"Keys":{"pk":{"S":"a]}\"{["}},"SequenceNumber":"\#(sequence)"}}"#
    }

    @Test func slicesRecordsByteForByte() throws {
        let records = [
            Self.change("1", "100"),
            #"{ "eventID" : "2", "eventName":"REMOVE" ,"dynamodb" : {"SequenceNumber":"200","Keys":{"n":{"N":"1.50"}},"ApproximateCreationDateTime":1.7e9}}"#,
            Self.change(#"e\u0033"#, "300"),
        ]
        let answer = #"{"NextShardIterator": "it-2", "Records" : [ "# + records.joined(separator: " , ") + "] }"
        let output = try DynamoDBStreamsClient.decodeGetRecords(Array(answer.utf8))
        #expect(output.records.map { String(decoding: $0.raw, as: UTF8.self) } == records)
        #expect(output.records.map(\.sequenceNumber) == ["100", "200", "300"])
        #expect(output.records.map(\.eventName) == ["INSERT", "REMOVE", "INSERT"])
        #expect(output.records.map(\.eventID) == ["1", "2", "e3"])
        #expect(output.records.map(\.eventTimeMillis) == [1_700_000_000_500, 1_700_000_000_000, 1_700_000_000_500])
        #expect(output.records[1].approximateCreationDateTime == 1.7e9)
        #expect(output.nextShardIterator == "it-2")
        #expect(!output.isShardDrained)
    }

    /// The archive stores one line per record: a record AWS sent across lines is compacted, its facts still right.
    @Test func multiLineRecordsAreCompacted() throws {
        let pretty =
            "{\n  \"eventID\": \"9\",\n  \"eventName\": \"MODIFY\",\n  \"dynamodb\": {\n    \"ApproximateCreationDateTime\": 1700000001,\n"
            + "    \"Keys\": {\"pk\": {\"S\": \"x y\"}},\n    \"SequenceNumber\": \"900\"\n  }\n}"
        let answer = "{\"Records\": [\n" + Self.change("1", "100") + ",\n" + pretty + "\n],\n\"NextShardIterator\": null}"
        let output = try DynamoDBStreamsClient.decodeGetRecords(Array(answer.utf8))
        #expect(output.records.count == 2)
        #expect(String(decoding: output.records[0].raw, as: UTF8.self) == Self.change("1", "100"))
        let compact = String(decoding: output.records[1].raw, as: UTF8.self)
        #expect(
            compact
                == #"{"eventID":"9","eventName":"MODIFY","dynamodb":{"ApproximateCreationDateTime":1700000001,"Keys":{"pk":{"S":"x y"}},"SequenceNumber":"900"}}"#
        )
        #expect(output.records[1].sequenceNumber == "900")
        #expect(output.records[1].eventID == "9")
        #expect(output.records[1].eventTimeMillis == 1_700_000_001_000)
        #expect(output.isShardDrained)
    }

    @Test func missingOrNullIteratorMeansDrained() throws {
        #expect(try DynamoDBStreamsClient.decodeGetRecords(Array(#"{"Records":[]}"#.utf8)).isShardDrained)
        #expect(try DynamoDBStreamsClient.decodeGetRecords(Array(#"{"Records":[],"NextShardIterator":null}"#.utf8)).isShardDrained)
        #expect(try DynamoDBStreamsClient.decodeGetRecords(Array(#"{"Records":null}"#.utf8)).records.isEmpty)
    }

    @Test func kinesisAnswerKeepsRawRecordsAndDecodesData() throws {
        let change = #"{"eventID":"k-1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1700000000123,"Keys":{"pk":{"S":"a"}}}}"#
        let other = #"{"eventName":"INSERT"}"#
        let records = [
            #"{"SequenceNumber":"4960","ApproximateArrivalTimestamp":1700000000.123,"Data":"\#(Data(change.utf8).base64EncodedString())","PartitionKey":"pk\"1","EncryptionType":"NONE"}"#,
            #"{"SequenceNumber":"4961","Data":"\#(Data(other.utf8).base64EncodedString())","PartitionKey":"p2"}"#,
        ]
        let answer =
            #"{"Records":[\#(records.joined(separator: ","))],"NextShardIterator":"n","MillisBehindLatest":42,"ChildShards":[{"ShardId":"shardId-2","ParentShards":["shardId-1"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"}}]}"#
        let output = try KinesisClient.decodeGetRecords(Array(answer.utf8))
        #expect(output.records.map { String(decoding: $0.raw, as: UTF8.self) } == records)
        #expect(output.records.map(\.data) == [Data(change.utf8), Data(other.utf8)])
        #expect(output.records.map(\.partitionKey) == [#"pk"1"#, "p2"])
        #expect(output.records.map(\.sequenceNumber) == ["4960", "4961"])
        #expect(output.records[0].approximateArrivalTimestamp == 1_700_000_000.123)
        #expect(output.records[1].approximateArrivalTimestamp == nil)
        #expect(output.records.map(\.encryptionType) == ["NONE", nil])
        // The change inside Data was read in the same pass; a payload that is no change record is kept, and refused only by the archiver.
        let found = try output.records[0].fields.change.get()
        #expect(found.eventID == Array("k-1".utf8) && found.eventTimeMillis == 1_700_000_000_123)
        #expect(throws: ShapeError.self) { try output.records[1].fields.change.get() }
        #expect(output.millisBehindLatest == 42)
        #expect(output.nextShardIterator == "n")
        #expect(output.childShards == [KinesisChildShard(shardID: "shardId-2", parentShards: ["shardId-1"])])
    }

    @Test(arguments: [
        #"{"Records":[{"a":1}"#, #"{"Records":["unterminated]}"#, "<html>500</html>", #"{"Records":[1 2]}"#, "", #"{"Records":[]} trailing"#,
    ])
    func malformedAnswersAreInvalidResponse(_ text: String) {
        #expect {
            try DynamoDBStreamsClient.decodeGetRecords(Array(text.utf8))
        } throws: { error in
            (error as? AWSError)?.code == .invalidResponse
        }
    }

    @Test func invalidRecordIsNamedWithItsPath() {
        #expect {
            try DynamoDBStreamsClient.decodeGetRecords(
                Array(#"{"Records":[\#(Self.change("1", "100")),{"eventID":"1","eventName":"INSERT","dynamodb":{}}]}"#.utf8)
            )
        } throws: { error in
            let text = "\(error)"
            return (error as? AWSError)?.code == .invalidResponse && text.contains("Record 1") && text.contains("Records[1].dynamodb.SequenceNumber")
        }
        #expect {
            try KinesisClient.decodeGetRecords(Array(#"{"Records":[{"SequenceNumber":"1","PartitionKey":"p","Data":"not base64!"}]}"#.utf8))
        } throws: { error in
            (error as? AWSError)?.code == .invalidResponse && "\(error)".contains("Records[0].Data: expected base64")
        }
    }
}
