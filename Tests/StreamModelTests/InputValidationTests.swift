import StreamModel
import Testing

/// Values a record may not carry even though they are well-formed JSON (issue 9, defects 2 and 11).
struct InputValidationTests {
    func record(time: String = "1479499740", key: [UInt8] = Array("a".utf8)) -> [UInt8] {
        Array(#"{"eventID":"1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":"#.utf8) + Array(time.utf8)
            + Array(#","Keys":{"k":{"S":""#.utf8) + key + Array(#""}},"SequenceNumber":"1"}}"#.utf8)
    }

    func scan(_ bytes: [UInt8]) -> Result<ChangeRecordFacts, ShapeError> {
        bytes.withUnsafeBytes { raw in
            var c = JSONCursor(raw)
            do throws(ShapeError) { return .success(try ChangeRecordScanner.scanNative(&c)) } catch { return .failure(error) }
        }
    }

    /// Times that overflowed the block span arithmetic, and others outside year 1970..9999.
    @Test(arguments: ["-9223372036854775", "9223372036854775", "-1", "253402300800", "1e300", "-0.5"])
    func eventTimesOutsideTheDocumentedRangeAreRefused(_ time: String) {
        guard case .failure(let error) = scan(record(time: time)) else {
            Issue.record("\(time) was accepted")
            return
        }
        #expect(error.pathText == "dynamodb.ApproximateCreationDateTime")
        #expect(error.expectation.contains("1970") && error.expectation.contains("9999"), "\(error)")
    }

    @Test(arguments: [("0", Int64(0)), ("253402300799.999", 253_402_300_799_999), ("1.47949974E9", 1_479_499_740_000)])
    func eventTimesInsideTheRangeAreKept(_ time: String, _ millis: Int64) throws {
        #expect(try scan(record(time: time)).get().eventTimeMillis == millis)
        #expect(EventTime.validMillis.contains(millis))
    }

    /// Surrogates, overlong forms, code points above U+10FFFF and bytes that never occur in UTF-8.
    @Test(
        arguments: [
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xC0, 0x80], [0xC1, 0xBF],
            [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE],
            [0x80], [0xC2], [0xE2, 0x82],
        ] as [[UInt8]]
    )
    func invalidUTF8IsRefusedWithItsPath(_ bad: [UInt8]) {
        guard case .failure(let error) = scan(record(key: Array("x".utf8) + bad + Array("y".utf8))) else {
            Issue.record("\(bad) was accepted")
            return
        }
        #expect(error.pathText == "dynamodb.Keys.k.S")
        #expect(error.expectation.contains("UTF-8"), "\(error)")
    }

    /// The edges of every UTF-8 length are still accepted.
    @Test(
        arguments: [
            [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF],
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], Array("é€😀".utf8),
        ] as [[UInt8]]
    )
    func validUTF8IsAccepted(_ good: [UInt8]) throws {
        _ = try scan(record(key: good)).get()
    }
}
