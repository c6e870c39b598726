import Foundation
import StreamModel
import Testing

/// Golden tests: fixtures written from the shapes in AWS's documentation (Tests/Fixtures/conversion).
struct ConversionGoldenTests {
    static let streamARN = "arn:aws:dynamodb:us-east-1:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899"

    func convertAll(
        _ records: [[UInt8]],
        from: RecordFormat,
        to: RecordFormat,
        options: ConversionOptions = ConversionOptions()
    ) throws -> [JSONValue] {
        var converter = RecordConverter(from: from, to: to, options: options)
        return try records.map { try JSONValue(try converter.convert($0)) }
    }

    func lines(_ name: String) throws -> [JSONValue] {
        try ConversionFixtures.records(name).map { try JSONValue($0) }
    }

    @Test(arguments: [(TimePrecision.millisecond, "native-to-kds.expected.ndjson"), (.microsecond, "native-to-kds-micro.expected.ndjson")])
    func nativeToKDSMatchesDocumentedShape(_ precision: TimePrecision, _ expected: String) throws {
        let got = try convertAll(
            ConversionFixtures.records("native-getrecords.json"),
            from: .native,
            to: .kds,
            options: ConversionOptions(streamARN: Self.streamARN, timePrecision: precision)
        )
        #expect(got == (try lines(expected)))
    }

    @Test func lambdaEventToKDSDerivesTableFromEventSourceARN() throws {
        let got = try convertAll(ConversionFixtures.records("lambda-dynamodb-event.json"), from: .lambdaDynamoDB, to: .kds)
        #expect(got == (try lines("native-to-kds.expected.ndjson")))
    }

    @Test func lambdaEventAndGetRecordsAreTheSameRecords() throws {
        let native = try lines("native-getrecords.json")
        #expect(try convertAll(ConversionFixtures.records("lambda-dynamodb-event.json"), from: .lambdaDynamoDB, to: .native) == native)
        let lambda = try convertAll(
            ConversionFixtures.records("native-getrecords.json"),
            from: .native,
            to: .lambdaDynamoDB,
            options: ConversionOptions(streamARN: Self.streamARN)
        )
        #expect(lambda == (try lines("lambda-dynamodb-event.json")))
    }

    @Test func userIdentityChangesCaseBetweenShapes() throws {
        let ttl = try ConversionFixtures.records("native-getrecords.json")[2]
        var toLambda = RecordConverter(from: .native, to: .lambdaDynamoDB)
        let lambda = try JSONValue(try toLambda.convert(ttl))
        #expect(lambda["userIdentity"] == (try JSONValue(#"{"principalId":"dynamodb.amazonaws.com","type":"Service"}"#)))
        var toKDS = RecordConverter(from: .native, to: .kds, options: ConversionOptions(tableName: "t"))
        let kds = try JSONValue(try toKDS.convert(ttl))
        #expect(kds["userIdentity"] == (try JSONValue(#"{"principalId":"dynamodb.amazonaws.com","type":"Service"}"#)))
        var back = RecordConverter(from: .kds, to: .native)
        let native = try JSONValue(try back.convert(try toKDS.convert(ttl)))
        #expect(native["userIdentity"] == (try JSONValue(#"{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"}"#)))
        // A record without identity: kds writes null, native omits it.
        let insert = try ConversionFixtures.records("native-getrecords.json")[0]
        #expect(try JSONValue(try toKDS.convert(insert))["userIdentity"] == .null)
        #expect(try JSONValue(try back.convert(try toKDS.convert(insert)))["userIdentity"] == nil)
    }

    @Test func kinesisGetRecordsToNativeTakesTheKinesisSequenceNumber() throws {
        let got = try convertAll(ConversionFixtures.records("kinesis-getrecords.json"), from: .kinesisRecord, to: .native)
        let native = try lines("native-getrecords.json")
        let seqs = ["49590338271490256608559692538361571095921575989136588898", "49590338271490256608559692540925702759324208523137515618"]
        #expect(got.count == 2)
        for i in 0..<2 {
            guard case .object(var expected) = native[i], case .object(var dynamodb) = expected["dynamodb"]! else {
                Issue.record()
                return
            }
            dynamodb["SequenceNumber"] = .string(seqs[i])
            expected["dynamodb"] = .object(dynamodb)
            #expect(got[i] == .object(expected))
        }
    }

    @Test func lambdaKinesisAndGetRecordsCarryTheSamePayloads() throws {
        let fromLambda = try convertAll(ConversionFixtures.records("lambda-kinesis-event.json"), from: .lambdaKinesis, to: .kinesisRecord)
        let expected = try lines("kinesis-getrecords.json")
        #expect(fromLambda.count == expected.count)
        for (got, want) in zip(fromLambda, expected) {
            for field in ["SequenceNumber", "ApproximateArrivalTimestamp", "PartitionKey", "EncryptionType"] {
                #expect(got[field] == want[field], "\(field)")
            }
            #expect(try decodedData(got["Data"]) == (try decodedData(want["Data"])))
        }
        // And back: the Lambda fields the target lacks come from options.
        var back = RecordConverter(
            from: .kinesisRecord,
            to: .lambdaKinesis,
            options: ConversionOptions(
                kinesisStreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream",
                shardID: "shardId-000000000006",
                invokeIdentityARN: "arn:aws:iam::123456789012:role/lambda-role"
            )
        )
        let lambda = try ConversionFixtures.records("kinesis-getrecords.json").map { try JSONValue(try back.convert($0)) }
        let want = try lines("lambda-kinesis-event.json")
        for (got, want) in zip(lambda, want) {
            for field in ["eventSource", "eventVersion", "eventID", "eventName", "invokeIdentityArn", "awsRegion", "eventSourceARN"] {
                #expect(got[field] == want[field], "\(field)")
            }
            #expect(try decodedData(got["kinesis"]?["data"]) == (try decodedData(want["kinesis"]?["data"])))
        }
    }

    func decodedData(_ value: JSONValue?) throws -> JSONValue {
        guard case .string(let text) = value, let data = Data(base64Encoded: text) else { throw CancellationError() }
        return try JSONValue(Array(data))
    }

    @Test func kdsDocumentExampleToNativeWritesExactSeconds() throws {
        let kds = try ConversionFixtures.bytes("kds-payload.json")
        var converter = RecordConverter(from: .kds, to: .native, options: ConversionOptions(viewType: .newAndOldImages))
        let native = try converter.convert(kds, envelope: RecordEnvelope(sequenceNumber: "300000000000000499659"))
        let text = String(decoding: native, as: UTF8.self)
        #expect(text.contains(#""ApproximateCreationDateTime":1649809356.015,"#))
        #expect(text.contains(#""SequenceNumber":"300000000000000499659""#))
        #expect(text.contains(#""StreamViewType":"NEW_AND_OLD_IMAGES""#))
        #expect(text.contains(#""awsRegion":"us-west-2""#))
        // Keys and images are copied byte for byte (compacted), so they match the payload's.
        #expect(try JSONValue(native)["dynamodb"]?["NewImage"] == (try JSONValue(kds))["dynamodb"]?["NewImage"])
    }

    @Test func plainOutputUnmarshallsImagesWithExactNumbers() throws {
        let modify = try ConversionFixtures.records("native-getrecords.json")[1]
        var converter = RecordConverter(from: .native, to: .plain)
        let plain = try converter.convert(modify)
        let text = String(decoding: plain, as: UTF8.self)
        #expect(text.contains(#""total":12.50"#))
        #expect(
            try JSONValue(plain)["dynamodb"]?["NewImage"]
                == (try JSONValue(#"{"Message":"This item has changed","Id":101,"total":12.50,"tags":["b","a"],"blob":"AAEqQQ=="}"#))
        )
        #expect(try JSONValue(plain)["dynamodb"]?["Keys"] == (try JSONValue(#"{"Id":101}"#)))
    }

    @Test(arguments: [
        ("orders", #"{"orderId":{"S":"A1"}}"#, "493EA08D07B2AD021954670EB894E9B9"),
        ("orders", #"{ "orderId" : {"N":"12.50"}, "customer": {"S":"\u00fcn\u00ef\""} }"#, "9B0480A9CDD8BE763E42285A1EED67C9"),
    ])
    func partitionKeyIsMD5OfTableAndSortedKeys(_ table: String, _ keys: String, _ expected: String) throws {
        #expect(try PartitionKey.derive(tableName: table, keysJSON: Array(keys.utf8)) == expected)
    }
}
