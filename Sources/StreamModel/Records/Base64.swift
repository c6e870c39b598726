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
            } else if padding > 0 || !isAlphabet(b) {
                return false
            }
        }
        return true
    }

    /// Whether `b` is one of the 64 letters (a range check: the table would cost a lazy-global check per call).
    @inline(__always)
    static func isAlphabet(_ b: UInt8) -> Bool {
        let letter = b | 0x20
        return (letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "/")
    }

    /// Decodes padded base64; `nil` when malformed.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        func decoded(_ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
            var out = [UInt8]()
            return decode(buffer, into: &out) ? out : nil
        }
        if let result = text.withContiguousStorageIfAvailable(decoded) { return result }
        return Array(text).withUnsafeBufferPointer(decoded)
    }

    /// Encodes bytes as padded base64, appending to `out`.
    public static func encode<C: Collection>(_ bytes: C, into out: inout [UInt8]) where C.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ append($0, into: &out) }) == nil {
            Array(bytes).withUnsafeBufferPointer { append($0, into: &out) }
        }
    }

    static let encodeTable: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in encodeTable.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()
}
