import Foundation
import StreamModel
import Testing

/// Plain output against boto3's TypeDeserializer (Tests/Fixtures/conversion/plain-oracle.ndjson, made by
/// make_plain_oracle.py there), and the exact text of normalised numbers.
struct ConversionPlainTests {
    @Test func plainImagesMatchBoto3TypeDeserializer() throws {
        var converter = RecordConverter(from: .native, to: .plain)
        let lines = try ConversionFixtures.records("plain-oracle.ndjson")
        #expect(lines.count == 200)
        for (i, line) in lines.enumerated() {
            let text = String(decoding: line, as: UTF8.self)
            let imageStart = text.range(of: #"{"image":"#)!.upperBound
            let imageEnd = text.range(of: #","expected":"#, options: .backwards)!.lowerBound
            let image = text[imageStart..<imageEnd]
            let record = #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{},"NewImage":"# + image + "}}"
            let plain = try converter.convert(Array(record.utf8))
            let expected = try JSONValue(line)["expected"]
            #expect(try JSONValue(plain)["dynamodb"]?["NewImage"] == expected, "oracle line \(i + 1)")
        }
    }

    @Test(arguments: [
        ("0", "0"), ("-0", "-0"), ("12.50", "12.50"), ("1E+3", "1E+3"), (".5", "0.5"), ("-.5e-3", "-0.5e-3"), ("5.", "5"),
        ("007", "7"), ("00.50", "0.50"), ("+1", "1"), ("-0.0", "-0.0"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ])
    func numbersKeepTheirDigitsAndBecomeValidJSON(_ n: String, _ expected: String) throws {
        let record = #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"N":"\#(n)"}}}}"#
        var converter = RecordConverter(from: .native, to: .plain)
        let text = String(decoding: try converter.convert(Array(record.utf8)), as: UTF8.self)
        #expect(text.contains(#""Keys":{"k":\#(expected)}"#), "\(text)")
    }

    @Test func plainReadsBackAsNativeForTypesPlainCanCarry() throws {
        let native =
            #"{"eventID":"1","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"eu-west-1","dynamodb":{"ApproximateCreationDateTime":1700000000,"Keys":{"id":{"S":"A1"}},"NewImage":{"id":{"S":"A1"},"total":{"N":"12.50"},"e":{"S":""},"m":{"M":{}},"l":{"L":[{"BOOL":true},{"NULL":true}]}},"SequenceNumber":"1","StreamViewType":"NEW_IMAGE"}}"#
        var toPlain = RecordConverter(from: .native, to: .plain)
        var back = RecordConverter(from: .plain, to: .native)
        #expect(String(decoding: try back.convert(try toPlain.convert(Array(native.utf8))), as: UTF8.self) == native)
    }
}
