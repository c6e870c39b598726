/// The grammar of numbers: JSON numbers and DynamoDB's N strings.
public enum NumberGrammar {
    /// Scans a number starting at `from`; returns the end offset, or `nil` if no valid number starts there.
    ///
    /// JSON: `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`. DynamoDB N (`json: false`): optional sign, digits with an
    /// optional fraction (leading zeros and `.5`/`5.` allowed), optional exponent.
    @inlinable
    public static func scan(_ p: UnsafePointer<UInt8>, from: Int, to end: Int, allowPlus: Bool, json: Bool) -> Int? {
        var i = from
        @inline(__always) func digit(_ i: Int) -> Bool { i < end && p[i] >= 0x30 && p[i] <= 0x39 }
        if i < end, p[i] == UInt8(ascii: "-") || (allowPlus && p[i] == UInt8(ascii: "+")) { i += 1 }
        let intStart = i
        while digit(i) { i += 1 }
        var digits = i - intStart
        if json {
            guard digits > 0 else { return nil }
            if digits > 1 && p[intStart] == UInt8(ascii: "0") { return nil }
        }
        if i < end, p[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while digit(i) { i += 1 }
            if json && i == fracStart { return nil }
            digits += i - fracStart
        }
        guard digits > 0 else { return nil }
        if i < end, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            i += 1
            if i < end, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            let expStart = i
            while digit(i) { i += 1 }
            guard i > expStart else { return nil }
        }
        return i
    }
}
