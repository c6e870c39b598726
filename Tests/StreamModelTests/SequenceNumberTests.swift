import StreamModel
import Testing

struct SequenceNumberTests {
    @Test(arguments: [
        ("1", "2", true), ("9", "10", true), ("000000000000000000001", "2", true),
        ("100000000000000000000000000000000000000", "99999999999999999999999999999999999999", false),
        ("49590338271490256608559692538361571095921575989136588898", "49590338271490256608559692540925702759324208523137515618", true),
        ("123", "123", false), ("0123", "123", false),
    ])
    func ordersNumericallyWhateverTheLength(_ a: String, _ b: String, _ less: Bool) throws {
        let x = try #require(SequenceNumber(a))
        let y = try #require(SequenceNumber(b))
        #expect((x < y) == less)
        #expect((x.padded < y.padded) == less, "the catalog's text order must equal numeric order")
    }

    @Test func leadingZerosCompareEqualButKeepTheirText() throws {
        let a = try #require(SequenceNumber("000123"))
        let b = try #require(SequenceNumber("123"))
        #expect(a == b)
        #expect(a.text == "000123")
        #expect(SequenceNumber(padded: a.padded) == b)
        #expect(a.padded.count == SequenceNumber.paddedWidth)
    }

    @Test(arguments: ["", "12a", "-1", "1.5", " 1", String(repeating: "9", count: 65)])
    func rejectsWhatIsNotADigitString(_ text: String) {
        #expect(SequenceNumber(text) == nil)
    }

    @Test func acceptsSixtyFourDigitsAndLeadingZerosBeyond() {
        #expect(SequenceNumber(String(repeating: "9", count: 64)) != nil)
        #expect(SequenceNumber("000" + String(repeating: "9", count: 64)) != nil)
    }
}

struct EventTimeTests {
    @Test(arguments: [
        ("1767225600", Int64(1_767_225_600_000)), ("1767225600.123456", 1_767_225_600_123), ("1.7672256E9", 1_767_225_600_000),
        ("1.479499740E9", 1_479_499_740_000), ("0", 0), ("1767225600.9999", 1_767_225_600_999), ("-1.5", -1_500),
    ])
    func secondsBecomeExactMilliseconds(_ text: String, _ millis: Int64) {
        let parsed = Array(text.utf8).withUnsafeBufferPointer { EventTime.millis(fromSeconds: $0) }
        #expect(parsed == millis)
    }

    @Test func microsecondsAndMillisecondsConvertWithoutDrift() {
        #expect(Array("1767225600123456".utf8).withUnsafeBufferPointer { EventTime.millis(fromMicros: $0) } == 1_767_225_600_123)
        #expect(Array("1767225600123".utf8).withUnsafeBufferPointer { EventTime.millis(fromMillis: $0) } == 1_767_225_600_123)
    }

    @Test(arguments: ["", "abc", "1e", "1.2.3", "99999999999999999999999"])
    func rejectsMalformedOrHugeNumbers(_ text: String) {
        #expect(Array(text.utf8).withUnsafeBufferPointer { EventTime.millis(fromSeconds: $0) } == nil)
    }
}

struct ISO8601Tests {
    @Test(arguments: [
        ("2026-01-01T00:10:00Z", Int64(1_767_226_200_000)), ("2026-01-01T02:10:00+02:00", 1_767_226_200_000), ("2026-01-01", 1_767_225_600_000),
        ("1767226200", 1_767_226_200_000), ("2026-01-01T00:10:00.250Z", 1_767_226_200_250), ("1767226200.5", 1_767_226_200_500),
    ])
    func parsesCommandLineTimes(_ text: String, _ millis: Int64) {
        #expect(ISO8601.parseMillis(text) == millis)
    }

    @Test(arguments: ["2026-01-01T00:10:00", "yesterday", "2026-13-01", "2026-01-01T25:00:00Z"])
    func refusesAmbiguousOrInvalidTimes(_ text: String) {
        #expect(ISO8601.parseMillis(text) == nil)
    }

    @Test func formatsRoundTrip() {
        #expect(ISO8601.format(millis: 1_767_226_200_000) == "2026-01-01T00:10:00Z")
        #expect(ISO8601.format(millis: 1_767_226_200_250) == "2026-01-01T00:10:00.250Z")
        #expect(ISO8601.parseMillis(ISO8601.format(millis: 1_767_226_200_250)) == 1_767_226_200_250)
    }
}
