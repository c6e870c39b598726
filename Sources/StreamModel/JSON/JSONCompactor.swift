#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes insignificant whitespace from JSON text, so a pretty-printed record fits on one NDJSON line.
///
/// Bytes inside strings are copied unchanged; the result is the same JSON value.
public enum JSONCompactor {
    /// Whether `bytes` contains a line break (the cheap check done before compacting).
    public static func containsLineBreak(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        return memchr(base, 0x0A, bytes.count) != nil || memchr(base, 0x0D, bytes.count) != nil  // vectorised by libc
    }

    /// Appends the compacted form of `bytes` (valid JSON) to `out`.
    public static func compact(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var inString = false
        var escaped = false
        for b in bytes {
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                continue
            } else {
                if b == UInt8(ascii: "\"") { inString = true }
                out.append(b)
            }
        }
    }
}
