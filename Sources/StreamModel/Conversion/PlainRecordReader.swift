/// Reads the plain shape back: a native-layout record whose `Keys`, `NewImage` and `OldImage` are plain JSON.
///
/// Plain JSON has no type descriptors, so marshalling follows boto3's `TypeSerializer` on the decoded JSON:
/// string -> S, number -> N (digits exactly as written), true/false -> BOOL, null -> NULL, array -> L,
/// object -> M. Sets and binary cannot be told apart from lists and strings: an SS/NS/BS becomes an L and a
/// B becomes an S. Plain is therefore not a lossless round trip (docs/CONVERSION.md says which are).
public enum PlainRecordReader {
    /// Rewrites the plain record at the cursor as native record JSON, appending to `out`.
    /// - Throws: ``ShapeError`` with the JSON path when the record is not a JSON object.
    public static func marshal(_ c: inout JSONCursor, into out: inout [UInt8]) throws(ShapeError) {
        guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected a record object") }
        try rewriteMembers(&c, into: &out) { (c, key, out) throws(ShapeError) in
            if c.equals(key, "dynamodb"), c.peek() == UInt8(ascii: "{") {
                try marshalDynamoDB(&c, into: &out)
            } else {
                appendCompact(try c.valueSlice(), into: &out)
            }
        }
    }

    private static func marshalDynamoDB(_ c: inout JSONCursor, into out: inout [UInt8]) throws(ShapeError) {
        try rewriteMembers(&c, into: &out) { (c, key, out) throws(ShapeError) in
            if c.equals(key, "Keys") || c.equals(key, "NewImage") || c.equals(key, "OldImage") {
                guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected an object") }
                try marshalMembers(&c, depth: 0, into: &out)
            } else {
                appendCompact(try c.valueSlice(), into: &out)
            }
        }
    }

    /// `{"a": plain, ...}` -> `{"a": {"T": ...}, ...}`.
    private static func marshalMembers(_ c: inout JSONCursor, depth: Int, into out: inout [UInt8]) throws(ShapeError) {
        try rewriteMembers(&c, into: &out) { (c, _, out) throws(ShapeError) in try marshalValue(&c, depth: depth + 1, into: &out) }
    }

    /// Copies the object at the cursor member by member: each key as written, each value as `value` writes it.
    /// An error in a value gets the member's key in its path.
    private static func rewriteMembers(
        _ c: inout JSONCursor,
        into out: inout [UInt8],
        value: (inout JSONCursor, Range<Int>, inout [UInt8]) throws(ShapeError) -> Void
    ) throws(ShapeError) {
        out.append(UInt8(ascii: "{"))
        if try c.openObject() {
            var first = true
            repeat {
                let key = try c.readKey()
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.appendQuoted(c.bytes(key))
                out.append(UInt8(ascii: ":"))
                do throws(ShapeError) { try value(&c, key, &out) } catch { throw error.inside(.key(c.text(key))) }
            } while try c.nextMember(closing: UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func marshalValue(_ c: inout JSONCursor, depth: Int, into out: inout [UInt8]) throws(ShapeError) {
        guard depth < JSONCursor.maxDepth else { throw c.fail("nested too deeply") }
        switch c.peek() {
        case UInt8(ascii: "\""):
            out.appendLiteral("{\"S\":")
            out.appendQuoted(try c.stringSlice())
            out.append(UInt8(ascii: "}"))
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            out.appendLiteral(try c.readBool() ? "{\"BOOL\":true}" : "{\"BOOL\":false}")
        case UInt8(ascii: "n"):
            try c.readNull()
            out.appendLiteral("{\"NULL\":true}")
        case UInt8(ascii: "{"):
            out.appendLiteral("{\"M\":")
            try marshalMembers(&c, depth: depth, into: &out)
            out.append(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            out.appendLiteral("{\"L\":[")
            if try c.openArray() {
                var index = 0
                repeat {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    do throws(ShapeError) { try marshalValue(&c, depth: depth + 1, into: &out) } catch { throw error.inside(.index(index)) }
                    index += 1
                } while try c.nextMember(closing: UInt8(ascii: "]"))
            }
            out.appendLiteral("]}")
        default:
            out.appendLiteral("{\"N\":")
            out.appendQuoted(try c.numberSlice())
            out.append(UInt8(ascii: "}"))
        }
    }
}
