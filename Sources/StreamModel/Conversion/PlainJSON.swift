/// Writes DynamoDB attribute values as plain JSON, following boto3's `TypeDeserializer` and the AWS SDK's
/// `unmarshall`, with numbers kept exact.
///
/// | DynamoDB            | plain JSON                                                   |
/// |---------------------|--------------------------------------------------------------|
/// | S                   | string, escapes as written                                   |
/// | N                   | number with the same digits (see ``appendNumber(_:into:)``)  |
/// | B                   | base64 string, as written                                    |
/// | BOOL / NULL         | `true`/`false` / `null`                                      |
/// | M / L               | object / array                                               |
/// | SS / NS / BS        | array of strings / numbers / base64 strings, in the given order |
enum PlainJSON {
    /// Transcodes a validated attribute map (`{"name": {"S": ...}, ...}`) to a plain object.
    static func appendMap(_ c: inout JSONCursor, into out: inout [UInt8]) throws(ShapeError) {
        out.append(UInt8(ascii: "{"))
        if try c.openObject() {
            var first = true
            repeat {
                let name = try c.readKey()
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.appendQuoted(c.bytes(name))
                out.append(UInt8(ascii: ":"))
                try appendValue(&c, into: &out)
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Transcodes one validated attribute value (`{"T": payload}`).
    static func appendValue(_ c: inout JSONCursor, into out: inout [UInt8]) throws(ShapeError) {
        _ = try c.openObject()
        let tag = try c.readKey()
        let t0 = c.byte(at: tag.lowerBound)
        if tag.count == 1 {
            switch t0 {
            case UInt8(ascii: "S"), UInt8(ascii: "B"): out.appendQuoted(try c.stringSlice())
            case UInt8(ascii: "N"): appendNumber(try c.stringSlice(), into: &out)
            case UInt8(ascii: "M"): try appendMap(&c, into: &out)
            default:  // L
                try appendArray(&c, into: &out) { (c, out) throws(ShapeError) in try appendValue(&c, into: &out) }
            }
        } else if tag.count == 2 {
            let numbers = t0 == UInt8(ascii: "N")
            try appendArray(&c, into: &out) { (c, out) throws(ShapeError) in
                let s = try c.stringSlice()
                if numbers { appendNumber(s, into: &out) } else { out.appendQuoted(s) }
            }
        } else if c.equals(tag, "BOOL") {
            out.appendLiteral(try c.readBool() ? "true" : "false")
        } else {  // NULL
            _ = try c.readBool()
            out.appendLiteral("null")
        }
        c.skipWhitespace()
        c.offset += 1  // the value object's '}'
    }

    /// Copies the array at the cursor, each element as `element` writes it.
    private static func appendArray(
        _ c: inout JSONCursor,
        into out: inout [UInt8],
        element: (inout JSONCursor, inout [UInt8]) throws(ShapeError) -> Void
    ) throws(ShapeError) {
        out.append(UInt8(ascii: "["))
        if try c.openArray() {
            var first = true
            repeat {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                try element(&c, &out)
            } while try c.nextMember(closing: UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Writes a DynamoDB number string as a JSON number with the same digits.
    ///
    /// DynamoDB accepts forms JSON does not; they are rewritten without changing the value or dropping a
    /// significant digit: a leading `+` is dropped, leading zeros of the integer part are dropped (`007` -> `7`),
    /// an empty integer part becomes `0` (`.5` -> `0.5`, `-.5` -> `-0.5`), and a point without fraction digits is
    /// dropped (`5.` -> `5`). Everything else is kept as written: trailing zeros (`12.50`), the exponent and its
    /// case (`1E+3`), and negative zero (`-0`, valid JSON; note that some parsers read it as `0`).
    static func appendNumber(_ n: ByteSlice, into out: inout [UInt8]) {
        var i = 0
        let count = n.count
        if i < count, n[i] == UInt8(ascii: "-") {
            out.append(n[i])
            i += 1
        } else if i < count, n[i] == UInt8(ascii: "+") {
            i += 1
        }
        let intStart = i
        while i < count, n[i] >= 0x30, n[i] <= 0x39 { i += 1 }
        var firstSignificant = intStart
        while firstSignificant < i - 1, n[firstSignificant] == 0x30 { firstSignificant += 1 }
        if i == intStart {
            out.append(0x30)
        } else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: n[firstSignificant..<i]))
        }
        if i < count, n[i] == UInt8(ascii: ".") {
            let fracStart = i + 1
            var j = fracStart
            while j < count, n[j] >= 0x30, n[j] <= 0x39 { j += 1 }
            if j > fracStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: n[i..<j])) }
            i = j
        }
        if i < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: n[i..<count])) }
    }
}
