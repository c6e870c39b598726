/// Standard base64 (RFC 4648 section 4, padded), as AWS writes B values and Kinesis `Data`.
public enum Base64 {
    /// Whether `bytes` is well-formed padded base64 (empty is valid).
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count % 4 == 0 else { return false }
        var padding = 0
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "=") {
                guard i >= bytes.count - 2 else { return false }
                padding += 1
            } else if padding > 0 || decodeTable[Int(b)] == 0xFF {
                return false
            }
        }
        return true
    }

    /// Decodes padded base64; `nil` when malformed.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        guard text.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(text.count / 4 * 3)
        var quad: UInt32 = 0
        var n = 0
        var padding = 0
        for b in text {
            if b == UInt8(ascii: "=") {
                padding += 1
                quad <<= 6
                n += 1
            } else {
                let v = decodeTable[Int(b)]
                guard v != 0xFF, padding == 0 else { return nil }
                quad = quad << 6 | UInt32(v)
                n += 1
            }
            if n == 4 {
                out.append(UInt8(truncatingIfNeeded: quad >> 16))
                if padding < 2 { out.append(UInt8(truncatingIfNeeded: quad >> 8)) }
                if padding < 1 { out.append(UInt8(truncatingIfNeeded: quad)) }
                quad = 0
                n = 0
            }
        }
        guard padding <= 2 else { return nil }
        return out
    }

    /// Encodes bytes as padded base64, appending to `out`.
    public static func encode<C: Collection>(_ bytes: C, into out: inout [UInt8]) where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        while let a = iterator.next() {
            let b = iterator.next()
            let c = iterator.next()
            let v = UInt32(a) << 16 | UInt32(b ?? 0) << 8 | UInt32(c ?? 0)
            out.append(encodeTable[Int(v >> 18 & 63)])
            out.append(encodeTable[Int(v >> 12 & 63)])
            out.append(b == nil ? UInt8(ascii: "=") : encodeTable[Int(v >> 6 & 63)])
            out.append(c == nil ? UInt8(ascii: "=") : encodeTable[Int(v & 63)])
        }
    }

    static let encodeTable: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in encodeTable.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()
}
