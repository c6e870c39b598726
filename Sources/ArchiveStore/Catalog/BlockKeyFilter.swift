public import StreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Bloom filter of the item keys in one block, computed at ingest and kept in the catalog
/// (`block_key_filters`), so `history --key` and `replay --key` read only the blocks that may hold the item.
///
/// Each key attribute of each record goes in on its own (name, type and value hashed together), so a query
/// naming only the partition key of a composite key still uses the filter: a block may hold the item when every
/// attribute asked for may be in it. About 10 bits per attribute and record with 7 probes: under 1% false
/// positives per attribute, far fewer for a full composite key. Records whose keys cannot be found cheaply
/// (Kinesis-shaped records carry them inside base64 `Data`) give the block no filter: it is always read.
///
/// Layout: byte 0 = version (1), byte 1 = probes, then the bit array (little-endian 64-bit words).
public enum BlockKeyFilter {
    static let version: UInt8 = 1
    static let probes = 7
    static let bitsPerEntry = 10

    /// The filter of a block's records (newline-terminated lines), or `nil` when they do not expose their keys.
    /// - Parameters:
    ///   - records: the block's records.
    ///   - count: how many there are (the block header's count; sizes the filter without a counting pass).
    ///   - format: their shape.
    public static func build(records: UnsafeBufferPointer<UInt8>, count lines: Int, format: RecordFormat) -> [UInt8]? {
        guard format == .native || format == .lambdaDynamoDB || format == .kds, let base = records.baseAddress else { return nil }
        guard lines > 0 else { return nil }
        // Two key attributes per record at most in DynamoDB; a word at least.
        let words = max(1, (lines * 2 * bitsPerEntry + 63) / 64)
        var bits = [UInt64](repeating: 0, count: words)
        var start = 0
        var complete = true
        bits.withUnsafeMutableBufferPointer { bits in
            while start < records.count {
                let end = memchrOffset(base + start, count: records.count - start).map { start + $0 } ?? records.count
                let record = UnsafeBufferPointer(rebasing: records[start..<end])
                if !insertKeys(of: record, into: bits) { complete = false }
                start = end + 1
            }
        }
        guard complete else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(2 + words * 8)
        out.append(version)
        out.append(UInt8(probes))
        for word in bits { withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    /// The hash of one key attribute, as ``build(records:format:)`` and ``mayContain(_:attributes:)`` compute it.
    /// - Parameters:
    ///   - name: the attribute name (escapes resolved).
    ///   - type: `S`, `N` or `B`.
    ///   - value: the value's text as DynamoDB JSON holds it (escapes resolved).
    public static func hash(name: some Collection<UInt8>, type: some Collection<UInt8>, value: some Collection<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64 bit
        @inline(__always) func mix(_ b: UInt8) {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        for b in name { mix(b) }
        mix(0)
        for b in type { mix(b) }
        mix(0)
        for b in value { mix(b) }
        // Finalizer (splitmix64) so the two halves used for probing are independent enough.
        h ^= h >> 30
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 27
        h = h &* 0x94d0_49bb_1331_11eb
        h ^= h >> 31
        return h
    }

    /// Whether a block with `filter` may hold a record whose keys include every attribute hash in `attributes`.
    /// A filter this version cannot read answers `true` (the block is read).
    public static func mayContain(_ filter: [UInt8], attributes: [UInt64]) -> Bool {
        guard filter.count >= 10, filter[0] == version, (filter.count - 2) % 8 == 0 else { return true }
        let probes = Int(filter[1])
        let bitCount = UInt64((filter.count - 2) * 8)
        return filter.withUnsafeBufferPointer { bytes in
            for hash in attributes {
                var probe = hash & 0xFFFF_FFFF
                let step = (hash >> 32) | 1
                for _ in 0..<probes {
                    let bit = probe % bitCount
                    let byte = bytes[2 + Int(bit >> 3)]
                    if byte & (1 << UInt8(bit & 7)) == 0 { return false }
                    probe &+= step
                }
            }
            return true
        }
    }

    private static func set(_ hash: UInt64, in bits: UnsafeMutableBufferPointer<UInt64>) {
        let bitCount = UInt64(bits.count * 64)
        var probe = hash & 0xFFFF_FFFF
        let step = (hash >> 32) | 1
        for _ in 0..<probes {
            let bit = probe % bitCount
            bits[Int(bit >> 6)] |= 1 << (bit & 63)
            probe &+= step
        }
    }

    /// Finds `dynamodb.Keys` (archived records are valid JSON: a short walk) and adds each attribute.
    private static func insertKeys(of record: UnsafeBufferPointer<UInt8>, into bits: UnsafeMutableBufferPointer<UInt64>) -> Bool {
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        guard (try? c.openObject()) == true else { return false }
        repeat {
            guard let key = try? c.readKey() else { return false }
            guard c.equals(key, "dynamodb") else {
                c.skipValidValue()
                continue
            }
            guard (try? c.openObject()) == true else { return false }
            repeat {
                guard let inner = try? c.readKey() else { return false }
                guard c.equals(inner, "Keys") else {
                    c.skipValidValue()
                    continue
                }
                return insertAttributes(&c, into: bits)
            } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
            return false
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        return false
    }

    private static func insertAttributes(_ c: inout JSONCursor, into bits: UnsafeMutableBufferPointer<UInt64>) -> Bool {
        guard let open = try? c.openObject() else { return false }
        guard open else { return true }
        repeat {
            guard let name = try? c.readKey(), (try? c.openObject()) == true, let type = try? c.readKey(), c.peek() == UInt8(ascii: "\""),
                let value = try? c.readString()
            else { return false }
            let nameBytes = c.bytes(name)
            let typeBytes = c.bytes(type)
            if value.hasEscapes || nameBytes.contains(UInt8(ascii: "\\")) {
                set(hash(name: c.unescaped(name), type: typeBytes, value: c.unescaped(value.content)), in: bits)
            } else {
                set(hash(name: nameBytes, type: typeBytes, value: c.bytes(value.content)), in: bits)
            }
            while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true {  // a second member would be malformed; skip it
                _ = try? c.readKey()
                c.skipValidValue()
            }
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        return true
    }

    private static func memchrOffset(_ p: UnsafePointer<UInt8>, count: Int) -> Int? {
        guard let hit = memchr(p, 0x0A, count) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(p)
    }
}
