import Crypto
import StreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The 128-bit key by which event-id shards recognise a record they already hold (docs/FORMAT.md, "Event-id index").
///
/// DynamoDB's eventIDs are 32 lowercase hex digits: exactly 128 bits, so they are decoded, not hashed (two ids
/// share a key only if they are the same text). Any other id (another length, uppercase or non-hex digits, a
/// Kinesis or hand-made id) is keyed by the first 128 bits of the SHA-256 of its decoded bytes. Uppercase hex
/// goes through SHA-256 too: `"AB…"` and `"ab…"` are different texts and must stay different records.
public struct EventIDKey: Hashable, Sendable {
    /// The key's first and last 8 bytes, big-endian (so the stored bytes sort like the key).
    public var high: UInt64
    public var low: UInt64

    /// Bytes per key on disk.
    public static let byteCount = 16

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The key of an eventID given by its decoded bytes (JSON escapes already resolved).
    public init(eventID id: UnsafeBufferPointer<UInt8>) {
        if id.count == 32, let high = Self.lowercaseHex(id, from: 0), let low = Self.lowercaseHex(id, from: 16) {
            self.init(high: high, low: low)
            return
        }
        let digest = SHA256.hash(data: UnsafeRawBufferPointer(id))
        var high: UInt64 = 0
        var low: UInt64 = 0
        digest.withUnsafeBytes { bytes in
            for i in 0..<8 {
                high = high << 8 | UInt64(bytes[i])
                low = low << 8 | UInt64(bytes[8 + i])
            }
        }
        self.init(high: high, low: low)
    }

    /// The key of an eventID as it stands between the quotes of a JSON string: `"\u0041"` and `"A"` are the same id.
    /// Escapes are rare, so only they pay for decoding (an allocation).
    public init(jsonStringContent raw: UnsafeBufferPointer<UInt8>) {
        guard let base = raw.baseAddress, memchr(base, Int32(UInt8(ascii: "\\")), raw.count) != nil else {
            self.init(eventID: raw)
            return
        }
        let decoded = JSONCursor(UnsafeRawBufferPointer(raw)).unescaped(0..<raw.count)
        self = decoded.withUnsafeBufferPointer { EventIDKey(eventID: $0) }
    }

    /// The key stored at `offset` in `bytes` (16 bytes, as ``append(to:)`` wrote them).
    public init(bytes: UnsafeRawBufferPointer, at offset: Int) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<8 {
            high = high << 8 | UInt64(bytes[offset + i])
            low = low << 8 | UInt64(bytes[offset + 8 + i])
        }
        self.init(high: high, low: low)
    }

    /// Appends the key's 16 bytes (big-endian) to `bytes`.
    public func append(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: high.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Sixteen lowercase hex digits from `start` as a number, or nil if any is not one of `0-9a-f`.
    private static func lowercaseHex(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64? {
        var value: UInt64 = 0
        for i in start..<(start + 16) {
            let c = text[i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c &- UInt8(ascii: "a") &+ 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
