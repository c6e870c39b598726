/// Converts the time numbers of change records to integer milliseconds since the epoch, exactly.
///
/// Native records give `ApproximateCreationDateTime` in seconds, sometimes with a fraction (moto) or an
/// exponent (`1.47949974E9` from some SDKs); Kinesis Data Streams for DynamoDB gives milliseconds or
/// microseconds. Parsing goes through integer arithmetic, never `Double`, so nothing drifts.
public enum EventTime {
    /// The event times the archive accepts, in epoch milliseconds: 1970-01-01T00:00:00Z through
    /// 9999-12-31T23:59:59.999Z. Anything else is a broken record, and keeping times in this range keeps every
    /// difference of two times far from overflowing.
    public static let validMillis: ClosedRange<Int64> = 0...253_402_300_799_999

    /// What a record outside ``validMillis`` is told.
    public static let rangeExpectation = "expected a time from 1970-01-01 to 9999-12-31"

    /// Milliseconds from a JSON number of seconds; fractions below a millisecond are truncated.
    public static func millis(fromSeconds number: UnsafeBufferPointer<UInt8>) -> Int64? {
        scaled(number, by: 3)
    }

    /// Milliseconds from a JSON number of microseconds (truncated).
    public static func millis(fromMicros number: UnsafeBufferPointer<UInt8>) -> Int64? {
        scaled(number, by: -3)
    }

    /// Milliseconds from a JSON number of milliseconds (fractions truncated).
    public static func millis(fromMillis number: UnsafeBufferPointer<UInt8>) -> Int64? {
        scaled(number, by: 0)
    }

    /// The value of `number` times 10^`power`, truncated toward zero; `nil` if malformed or out of range.
    static func scaled(_ number: UnsafeBufferPointer<UInt8>, by power: Int) -> Int64? {
        let n = number.count
        var i = 0
        let negative = n > 0 && number[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        // First pass: where the significant digits are, and the decimal point's effect.
        let mantissaStart = i
        var significant = 0
        var fractionDigits = 0
        var seenPoint = false
        while i < n {
            let b = number[i]
            if b >= 0x30 && b <= 0x39 {
                if significant > 0 || b != 0x30 { significant += 1 }
                if seenPoint { fractionDigits += 1 }
            } else if b == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else {
                break
            }
            i += 1
        }
        let mantissaEnd = i
        guard mantissaEnd > mantissaStart else { return nil }
        var exponent = 0
        if i < n, number[i] == UInt8(ascii: "e") || number[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < n, number[i] == UInt8(ascii: "+") || number[i] == UInt8(ascii: "-") {
                expNegative = number[i] == UInt8(ascii: "-")
                i += 1
            }
            let start = i
            while i < n, number[i] >= 0x30, number[i] <= 0x39, exponent < 10_000 {
                exponent = exponent * 10 + Int(number[i] - 0x30)
                i += 1
            }
            guard i > start else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { return nil }
        // value = significantDigits * 10^shift; keep only the digits left of the (scaled) point.
        let shift = exponent - fractionDigits + power
        let kept = significant + min(shift, 0)
        guard kept <= 18 else { return nil }  // fits Int64 without overflow checks
        var value: Int64 = 0
        var taken = 0
        var seen = 0
        var j = mantissaStart
        while j < mantissaEnd, taken < kept {
            let b = number[j]
            j += 1
            guard b != UInt8(ascii: ".") else { continue }
            if seen == 0 && b == 0x30 { continue }
            seen += 1
            value = value * 10 + Int64(b - 0x30)
            taken += 1
        }
        if shift > 0 {
            for _ in 0..<shift {
                let (m, o) = value.multipliedReportingOverflow(by: 10)
                guard !o else { return nil }
                value = m
            }
        }
        return negative ? -value : value
    }
}
