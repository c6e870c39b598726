import Foundation
import StreamModel
import Testing

/// Input splitting (NDJSON, arrays, `Records` envelopes, chunked reads) and errors that name line and path.
struct ConversionInputTests {
    static let record =
        #"{"eventID":"1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"x"}},"SequenceNumber":"1","StreamViewType":"KEYS_ONLY"}}"#

    @Test(arguments: [
        ("ndjson", "\(record)\n\(record)\n\n\(record)\n", [RecordLocation.Container.stream, .stream, .stream]),
        ("array", "[\(record),\n \(record) ]", [.array, .array]),
        ("event", "{\"Records\":[\(record),\(record)]}", [.records, .records]),
        ("response", "{\"NextShardIterator\":\"x|y\",\"Records\":[\(record)],\"MillisBehindLatest\":0}\n{\"Records\":[]}", [.records]),
        ("empty", "  \n", []),
    ])
    func splitsEveryInputForm(_ name: String, _ input: String, _ containers: [RecordLocation.Container]) throws {
        let bytes = Array(input.utf8)
        let found = try RecordSplitter.split(bytes)
        #expect(found.map(\.1.container) == containers, "\(name)")
        for (range, _) in found { #expect(Array(bytes[range]) == Array(Self.record.utf8)) }
    }

    @Test func prettyPrintedFixturesSplitIntoTheirRecords() throws {
        #expect(try ConversionFixtures.records("native-getrecords.json").count == 3)
        #expect(try ConversionFixtures.records("kinesis-getrecords.json").count == 2)
        #expect(try ConversionFixtures.records("kds-payload.json").count == 1)
    }

    /// Writes `text` to a temp file and runs the pipeline over it with a tiny read chunk.
    func run(
        _ text: String,
        from: RecordFormat = .native,
        to: RecordFormat,
        batch: Int? = nil,
        skip: Bool = false,
        chunk: Int = 64
    )
        throws -> (output: String, skipped: [String])
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in.json")
        let outURL = dir.appendingPathComponent("out.ndjson")
        try Data(text.utf8).write(to: inURL)
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let input = try FileHandle(forReadingFrom: inURL)
        let output = try FileHandle(forWritingTo: outURL)
        defer {
            try? input.close()
            try? output.close()
        }
        var pipeline = ConversionPipeline(
            converter: RecordConverter(from: from, to: to, options: ConversionOptions(tableName: "t")),
            batchSize: batch,
            skipInvalid: skip
        )
        var skipped = [String]()
        _ = try pipeline.run(
            input: RecordInputReader(fileDescriptor: input.fileDescriptor, chunkSize: chunk),
            output: BufferedOutput(fileDescriptor: output.fileDescriptor, threshold: 100)
        ) { message, _ in skipped.append(message) }
        return (String(decoding: try Data(contentsOf: outURL), as: UTF8.self), skipped)
    }

    @Test func chunkedReadsAndBatchesProduceLambdaEvents() throws {
        let input = "{\"Records\":[" + Array(repeating: Self.record, count: 5).joined(separator: ",\n") + "]}"
        let (output, _) = try run(input, to: .lambdaDynamoDB, batch: 2)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.hasPrefix("{\"Records\":[") && $0.hasSuffix("]}") })
        #expect(try JSONValue(String(lines[2]))["Records"].map { if case .array(let a) = $0 { return a.count } else { return -1 } } == 1)
        let ndjson = try run(Array(repeating: Self.record, count: 4).joined(separator: "\n"), to: .native).output
        #expect(ndjson == Array(repeating: Self.record + "\n", count: 4).joined())
    }

    @Test func badRecordErrorNamesLineAndJSONPath() throws {
        let bad = Self.record.replacingOccurrences(of: #""Keys":{"k":{"S":"x"}}"#, with: #""Keys":{"k":{"S":"x"}},"NewImage":{"total":{"N":"abc"}}"#)
        let input = "{\"Records\":[\n\(Self.record),\n\(Self.record),\n\(Self.record),\n\(bad)]}"
        #expect {
            _ = try run(input, to: .kds)
        } throws: { error in
            (error as? ConversionError)?.message == "line 5: Records[3].dynamodb.NewImage.total.N: expected a numeric string"
        }
        let (output, skipped) = try run(input, to: .kds, skip: true)
        #expect(output.split(separator: "\n").count == 3)
        #expect(skipped == ["line 5: Records[3].dynamodb.NewImage.total.N: expected a numeric string"])
    }

    @Test(arguments: [
        (#"{"eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{}}}"#, "eventID: missing"),
        (
            #"{"eventID":"1","eventName":"UPSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{}}}"#,
            "eventName: expected INSERT, MODIFY or REMOVE"
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"X":"1"}}}}"#,
            #"dynamodb.Keys.k: unknown attribute type "X"; expected S, N, B, BOOL, NULL, M, L, SS, NS or BS"#
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"B":"abc"}}}}"#,
            "dynamodb.Keys.k.B: expected a base64 string"
        ),
        (#"{"eventID":"1","eventName":"INSERT","dynamodb":{"Keys":{}}}"#, "dynamodb.ApproximateCreationDateTime: missing"),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{}}"#,
            "expected ',' or '}', found the end of the input (truncated?)"
        ),
    ])
    func invalidRecordsAreRefusedWithTheirPath(_ record: String, _ message: String) throws {
        var converter = RecordConverter(from: .native, to: .kds, options: ConversionOptions(tableName: "t"))
        #expect { _ = try converter.convert(Array(record.utf8)) } throws: { ($0 as? ShapeError)?.description == message }
    }

    @Test func kinesisDataThatIsNotAPayloadNamesTheDataField() throws {
        let record = #"{"SequenceNumber":"1","Data":"SGVsbG8=","PartitionKey":"p"}"#
        var converter = RecordConverter(from: .kinesisRecord, to: .native)
        #expect { _ = try converter.convert(Array(record.utf8)) } throws: { ($0 as? ShapeError)?.description == "Data: expected a record object" }
    }

    @Test func missingTableNameIsExplained() throws {
        var converter = RecordConverter(from: .native, to: .kds)
        #expect { _ = try converter.convert(Array(Self.record.utf8)) } throws: {
            ($0 as? ShapeError)?.pathText == "tableName"
        }
    }
}
