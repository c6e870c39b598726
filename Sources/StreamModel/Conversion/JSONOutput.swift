/// Appending JSON text to a byte buffer without building strings.
///
/// The conversion writers use these to emit records field by field into a reusable `[UInt8]`.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of a static string (field names, punctuation).
    @inlinable @inline(__always)
    mutating func appendLiteral(_ literal: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `bytes` unchanged.
    @inlinable @inline(__always)
    mutating func appendRaw(_ bytes: UnsafeBufferPointer<UInt8>) {
        append(contentsOf: bytes)
    }

    /// Appends `"content"`, where `content` is raw JSON string content (escapes kept as written).
    @inlinable @inline(__always)
    mutating func appendQuoted(_ content: UnsafeBufferPointer<UInt8>) {
        append(UInt8(ascii: "\""))
        append(contentsOf: content)
        append(UInt8(ascii: "\""))
    }

    /// Appends a decimal integer.
    mutating func appendInteger(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendUnsigned(value.magnitude)
        } else {
            appendUnsigned(UInt64(value))
        }
    }

    mutating func appendUnsigned(_ value: UInt64) {
        var divisor: UInt64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        var v = value
        while divisor > 0 {
            append(UInt8(truncatingIfNeeded: v / divisor) + 0x30)
            v %= divisor
            divisor /= 10
        }
    }

    /// Appends `value / 10^scale` as an exact decimal: `1479499740`, `1611178260.987`, `-0.5`.
    ///
    /// Trailing zeros of the fraction are dropped, and the point too when the fraction is zero.
    mutating func appendDecimal(_ value: Int64, scale: Int) {
        guard scale > 0 else {
            appendInteger(value)
            return
        }
        var divisor: UInt64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let magnitude = value.magnitude
        let whole = magnitude / divisor
        var fraction = magnitude % divisor
        if value < 0 { append(UInt8(ascii: "-")) }
        appendUnsigned(whole)
        guard fraction != 0 else { return }
        append(UInt8(ascii: "."))
        var width = scale
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        let start = count
        append(contentsOf: repeatElement(UInt8(0x30), count: width))
        var i = start + width - 1
        while fraction > 0 {
            self[i] = UInt8(fraction % 10) + 0x30
            fraction /= 10
            i -= 1
        }
    }
}

/// JSON string escaping for text that does not come from the input (options such as a table name).
enum JSONEscaping {
    /// The escaped content (without quotes) of `text`.
    static func escapedContent(_ text: String) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.appendLiteral("\\\"")
            case UInt8(ascii: "\\"): out.appendLiteral("\\\\")
            case 0x0A: out.appendLiteral("\\n")
            case 0x0D: out.appendLiteral("\\r")
            case 0x09: out.appendLiteral("\\t")
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.appendLiteral("\\u00")
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        return out
    }

    /// Decodes raw JSON string content (escapes as written) to UTF-8, appending to `out`.
    ///
    /// The content must have been validated by ``JSONCursor/readString()``.
    static func unescape(_ content: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        let n = content.count
        func hex(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = content[k] | 0x20
                v = v << 4 | UInt32(c >= 0x61 ? c - 0x61 + 10 : c - 0x30)
            }
            return v
        }
        while i < n {
            let b = content[i]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            let e = content[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex(i)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00, i + 6 <= n, content[i] == UInt8(ascii: "\\"), content[i + 1] == UInt8(ascii: "u") {
                    let low = hex(i + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                if scalar >= 0xD800 && scalar < 0xE000 { scalar = 0xFFFD }  // lone surrogate
                appendUTF8(scalar, into: &out)
            default: out.append(e)  // \" \\ \/
            }
        }
    }

    private static func appendUTF8(_ v: UInt32, into out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6))
            out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12))
            out.append(UInt8(0x80 | v >> 6 & 0x3F))
            out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18))
            out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F))
            out.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
