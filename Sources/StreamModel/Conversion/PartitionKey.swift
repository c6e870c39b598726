import Crypto

/// The Kinesis partition key StreamVault writes for kds-derived Kinesis records: a deterministic function of
/// the table name and the item's key attributes.
///
/// Kinesis Data Streams for DynamoDB picks its own opaque partition keys; a record converted from a native
/// record needs one too. StreamVault uses
///
/// ```
/// PartitionKey = uppercase hex MD5( tableName + "\n" + for each key attribute, sorted by name (UTF-8 bytes):
///                                     name + "=" + type + ":" + value + "\n" )
/// ```
///
/// where names, the table name and S values are the decoded UTF-8 text (JSON escapes resolved), N and B values
/// are the strings exactly as written, and any other type is its compact attribute-value JSON. For table `orders`
/// and keys `{"orderId":{"S":"A1"}}` that is `MD5("orders\norderId=S:A1\n")`. The same item always gets the same
/// key, so per-item order survives in Kinesis, and the 32 characters are within Kinesis's 256-character limit.
public enum PartitionKey {
    /// Derives the partition key for `tableName` and a `Keys` attribute map given as JSON text.
    /// - Throws: ``ShapeError`` when `keysJSON` is not a valid attribute map.
    public static func derive(tableName: String, keysJSON: [UInt8]) throws(ShapeError) -> String {
        var hasher = PartitionKeyHasher()
        var out = [UInt8]()
        let table = JSONEscaping.escapedContent(tableName)
        try keysJSON.withUnsafeBufferPointer { (keys) throws(ShapeError) in
            var c = JSONCursor(UnsafeRawBufferPointer(keys))
            try AttributeValueValidator.validateMap(&c)
            try table.withUnsafeBufferPointer { (t) throws(ShapeError) in try hasher.append(table: t, keys: keys, into: &out) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Reusable scratch for ``PartitionKey`` on the conversion hot path.
struct PartitionKeyHasher {
    private var message = [UInt8]()
    private var entries = [(name: Range<Int>, type: ByteSlice, value: ByteSlice, isString: Bool)]()
    private var names = [UInt8]()

    /// Appends the 32 hex digits for `table` (raw JSON string content) and `keys` (validated attribute map JSON).
    mutating func append(table: ByteSlice, keys: ByteSlice, into out: inout [UInt8]) throws(ShapeError) {
        entries.removeAll(keepingCapacity: true)
        names.removeAll(keepingCapacity: true)
        var c = JSONCursor(UnsafeRawBufferPointer(keys))
        if try c.openObject() {
            repeat {
                let name = try c.readString()
                guard c.peek() == UInt8(ascii: ":") else { throw c.fail("expected ':'") }
                c.offset += 1
                let start = names.count
                JSONEscaping.unescape(c.bytes(name.content), into: &names)
                _ = try c.openObject()
                let tag = try c.readKey()
                c.skipWhitespace()
                let valueStart = c.offset
                let isString = c.peek() == UInt8(ascii: "\"")
                let value: ByteSlice
                if isString {
                    value = c.bytes(try c.readString().content)
                } else {
                    try c.skipValue(depth: 1)
                    value = c.bytes(valueStart..<c.offset)
                }
                _ = try c.nextMember(closing: UInt8(ascii: "}"))
                entries.append((start..<names.count, c.bytes(tag), value, isString))
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        let names = self.names
        entries.sort { a, b in names[a.name].lexicographicallyPrecedes(names[b.name]) }
        message.removeAll(keepingCapacity: true)
        JSONEscaping.unescape(table, into: &message)
        message.append(0x0A)
        for e in entries {
            message.append(contentsOf: names[e.name])
            message.append(UInt8(ascii: "="))
            message.append(contentsOf: e.type)
            message.append(UInt8(ascii: ":"))
            if e.isString && bytesEqual(e.type, "S") {
                JSONEscaping.unescape(e.value, into: &message)
            } else if e.isString {
                message.append(contentsOf: e.value)
            } else {
                JSONCompactor.compact(e.value, into: &message)
            }
            message.append(0x0A)
        }
        // swift-crypto's MD5 replaced a hand-written one: 157 ns per 51-byte key against 247 (tools/codec-bench.sh, 2026-11-30).
        let digest = message.withUnsafeBytes { Insecure.MD5.hash(data: $0) }
        let hex: StaticString = "0123456789ABCDEF"
        for b in digest {
            out.append(hex.utf8Start[Int(b >> 4)])
            out.append(hex.utf8Start[Int(b & 15)])
        }
    }
}
