import Foundation
import SampleData
import StreamModel
import StreamVaultTesting
import Testing

struct ChangeRecordScannerTests {
    static let valid = #"""
        {"eventID":"c4ca4238a0b923820dcc509a6f75849b","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1479499740,"Keys":{"Id":{"N":"101"}},"NewImage":{"Message":{"S":"New item! é \u00e9 \"q\""},"Id":{"N":"101"},"Big":{"N":"-1234567890123456789012345678901234567.8"},"Bin":{"B":"AAEC"},"Flags":{"BOOL":false},"Nothing":{"NULL":true},"Nested":{"M":{"L":{"L":[{"S":""},{"M":{}},{"NS":["1","2.5","-0","1E+3"]}]}}},"Tags":{"SS":["a","b"]},"Blobs":{"BS":["AA==","AQ=="]}},"SequenceNumber":"4421584500000000017450439091","SizeBytes":26,"StreamViewType":"NEW_AND_OLD_IMAGES"},"userIdentity":{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"}}
        """#

    func scan(_ text: String) throws(ShapeError) -> (ChangeRecordFacts, String, String) {
        let bytes = Array(text.utf8)
        var result: Result<ChangeRecordFacts, ShapeError>!
        bytes.withUnsafeBytes { raw in
            var c = JSONCursor(raw)
            do throws(ShapeError) { result = .success(try ChangeRecordScanner.scanNative(&c)) } catch { result = .failure(error) }
        }
        let facts = try result.get()
        let id = String(decoding: bytes[facts.eventID], as: UTF8.self)
        let seq = String(decoding: bytes[facts.sequenceNumber], as: UTF8.self)
        return (facts, id, seq)
    }

    @Test func extractsTheIndexedFieldsOfAnAWSDocumentedRecord() throws {
        let (facts, id, seq) = try scan(Self.valid)
        #expect(id == "c4ca4238a0b923820dcc509a6f75849b")
        #expect(seq == "4421584500000000017450439091")
        #expect(facts.eventTimeMillis == 1_479_499_740_000)
        #expect(facts.eventName == .insert)
        #expect(!facts.hasEventSourceARN)
    }

    @Test func acceptsEveryGeneratedRecord() throws {
        var count = 0
        try OrdersGenerator(.init(records: 500, shards: 3)).generate { _, line in
            _ = try scan(String(decoding: line, as: UTF8.self))
            count += 1
        }
        #expect(count == 500)
    }

    /// Each broken record and the exact message a user sees for it.
    @Test(arguments: [
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}}}}"#,
            "dynamodb.SequenceNumber: missing"
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"SequenceNumber":"12x"}}"#,
            "dynamodb.SequenceNumber: expected a string of decimal digits"
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"NewImage":{"total":{"N":"twelve"}},"SequenceNumber":"1"}}"#,
            "dynamodb.NewImage.total.N: expected a numeric string"
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"NewImage":{"total":{"N":12}},"SequenceNumber":"1"}}"#,
            "dynamodb.NewImage.total.N: expected a numeric string"
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"NewImage":{"l":{"L":[{"S":"x"},{"Q":"y"}]}},"SequenceNumber":"1"}}"#,
            #"dynamodb.NewImage.l.L[1]: unknown attribute type "Q"; expected S, N, B, BOOL, NULL, M, L, SS, NS or BS"#
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"B":"not base64!"}},"SequenceNumber":"1"}}"#,
            "dynamodb.Keys.k.B: expected a base64 string"
        ),
        (
            #"{"eventID":"1","eventName":"UPSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"SequenceNumber":"1"}}"#,
            "eventName: expected INSERT, MODIFY or REMOVE"
        ),
        (
            #"{"eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"SequenceNumber":"1"}}"#,
            "eventID: missing eventID"
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"Keys":{"k":{"S":"a"}},"SequenceNumber":"1"}}"#,
            "dynamodb.ApproximateCreationDateTime: missing; the archive indexes records by this time"
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a","N":"1"}},"SequenceNumber":"1"}}"#,
            "dynamodb.Keys.k: attribute value must have exactly one type descriptor"
        ),
        (
            #"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"SequenceNumber":"1""#,
            "dynamodb: expected ',' or '}', found the end of the input (truncated?)"
        ),
        (#"not json"#, "expected a record object"),
    ])
    func namesTheFieldOfABadRecord(_ text: String, _ message: String) {
        #expect(throws: ShapeError.self) { try scan(text) }
        do { _ = try scan(text) } catch { #expect(error.description == message) }
    }

    @Test func cursorRejectsInvalidUTF8AndControlCharacters() {
        for bad in [[0x22, 0xFF, 0x22], [0x22, 0x01, 0x22], [0x22, 0x5C, 0x71, 0x22]] as [[UInt8]] {
            let failed = bad.withUnsafeBytes { raw -> Bool in
                var c = JSONCursor(raw)
                return (try? c.readString()) == nil
            }
            #expect(failed)
        }
    }

    @Test func compactorKeepsStringsAndDropsLayout() {
        let pretty = "{\n  \"a\" : \"x y\\n\\\" z\",\n  \"b\" : [ 1 , 2 ]\n}"
        var out: [UInt8] = []
        Array(pretty.utf8).withUnsafeBufferPointer { JSONCompactor.compact($0, into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == #"{"a":"x y\n\" z","b":[1,2]}"#)
    }
}

struct LocateNativeTests {
    /// The fast path used by replay must find exactly what the validating scanner finds.
    @Test func agreesWithTheValidatingScanner() throws {
        var lines = SampleFiles.lines(records: 300, shards: 3)
        lines.append(ChangeRecordScannerTests.valid)
        lines.append(
            #"{"eventID":"e","eventName":"MODIFY","dynamodb":{"Keys":{"k":{"S":"}]\"{["}},"NewImage":{"ApproximateCreationDateTime":{"N":"5"},"SequenceNumber":{"S":"9"}},"ApproximateCreationDateTime":1.7E9,"SequenceNumber":"000123"}}"#
        )
        for line in lines {
            let bytes = Array(line.utf8)
            try bytes.withUnsafeBytes { raw in
                var a = JSONCursor(raw)
                var b = JSONCursor(raw)
                let full = try ChangeRecordScanner.scanNative(&a)
                let fast = try #require(ChangeRecordScanner.locateNative(&b))
                #expect(fast.sequence == full.sequenceNumber)
                #expect(fast.eventTimeMillis == full.eventTimeMillis)
            }
        }
    }
}
