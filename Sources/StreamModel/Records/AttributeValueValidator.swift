/// Checks DynamoDB attribute values in their JSON form (`{"S":"x"}`, `{"M":{...}}`, ...) without building them.
///
/// Accepts exactly what DynamoDB Streams writes: one type descriptor per value (S, N, B, BOOL, NULL, M, L,
/// SS, NS, BS), N as a numeric string, B as base64. Errors carry the path to the bad value,
/// e.g. `total.N: expected a numeric string`.
public enum AttributeValueValidator {
    /// Validates an attribute map (`{"name": AttributeValue, ...}`), as found in Keys, NewImage and OldImage.
    public static func validateMap(_ c: inout JSONCursor, depth: Int = 0) throws(ShapeError) {
        // Most maps are valid: the one-loop check says so several times faster; the walk below finds what is wrong.
        if depth == 0 && RecordFastPath.validMap(&c) { return }
        try walkMap(&c, depth: depth)
    }

    /// ``validateMap(_:depth:)`` value by value: names what is wrong, with its path.
    static func walkMap(_ c: inout JSONCursor, depth: Int) throws(ShapeError) {
        guard depth < JSONCursor.maxDepth else { throw c.fail("attribute values nested too deeply") }
        guard try c.openObject() else { return }
        repeat {
            let name = try c.readKey()
            do throws(ShapeError) { try validateValue(&c, depth: depth + 1) } catch { throw error.inside(.key(c.text(name))) }
        } while try c.nextMember(closing: UInt8(ascii: "}"))
    }

    /// The type descriptors of attribute values.
    enum TypeTag { case s, n, b, bool, null, m, l, ss, ns, bs }

    @inline(__always)
    static func typeTag(_ c: JSONCursor, _ tag: Range<Int>) -> TypeTag? {
        switch tag.count {
        case 1:
            switch c.byte(at: tag.lowerBound) {
            case UInt8(ascii: "S"): return .s
            case UInt8(ascii: "N"): return .n
            case UInt8(ascii: "B"): return .b
            case UInt8(ascii: "M"): return .m
            case UInt8(ascii: "L"): return .l
            default: return nil
            }
        case 2:
            guard c.byte(at: tag.lowerBound + 1) == UInt8(ascii: "S") else { return nil }
            switch c.byte(at: tag.lowerBound) {
            case UInt8(ascii: "S"): return .ss
            case UInt8(ascii: "N"): return .ns
            case UInt8(ascii: "B"): return .bs
            default: return nil
            }
        default:
            if c.equals(tag, "BOOL") { return .bool }
            if c.equals(tag, "NULL") { return .null }
            return nil
        }
    }

    /// Validates one attribute value (`{"T": value}`).
    public static func validateValue(_ c: inout JSONCursor, depth: Int) throws(ShapeError) {
        guard depth < JSONCursor.maxDepth else { throw c.fail("attribute values nested too deeply") }
        guard c.peek() == UInt8(ascii: "{") else {
            throw c.fail("expected an attribute value object like {\"S\": \"text\"}")
        }
        guard try c.openObject() else { throw c.fail("attribute value has no type descriptor (S, N, B, BOOL, NULL, M, L, SS, NS, BS)") }
        let tag = try c.readKey()
        guard let type = typeTag(c, tag) else { throw unknownType(c, tag) }
        do throws(ShapeError) { try validatePayload(&c, type: type, depth: depth) } catch { throw error.inside(.key(c.text(tag))) }
        guard c.peek() == UInt8(ascii: "}") else {
            throw c.fail("attribute value must have exactly one type descriptor")
        }
        c.offset += 1
    }

    private static func validatePayload(_ c: inout JSONCursor, type: TypeTag, depth: Int) throws(ShapeError) {
        switch type {
        case .s: try expectString(&c)
        case .n: try readNumberString(&c)
        case .b: try readBase64(&c)
        case .m: try validateMap(&c, depth: depth)
        case .l:
            guard c.peek() == UInt8(ascii: "[") else { throw c.fail("expected a list of attribute values") }
            guard try c.openArray() else { return }
            var index = 0
            repeat {
                do throws(ShapeError) { try validateValue(&c, depth: depth + 1) } catch { throw error.inside(.index(index)) }
                index += 1
            } while try c.nextMember(closing: UInt8(ascii: "]"))
        case .ss: try validateSet(&c, element: expectString)
        case .ns: try validateSet(&c, element: readNumberString)
        case .bs: try validateSet(&c, element: readBase64)
        case .bool:
            guard c.peek() == UInt8(ascii: "t") || c.peek() == UInt8(ascii: "f") else { throw c.fail("expected true or false") }
            _ = try c.readBool()
        case .null:
            guard c.peek() == UInt8(ascii: "t") else { throw c.fail("expected true") }
            _ = try c.readBool()
        }
    }

    private static func unknownType(_ c: JSONCursor, _ tag: Range<Int>) -> ShapeError {
        ShapeError(expectation: "unknown attribute type \"\(c.text(tag))\"; expected S, N, B, BOOL, NULL, M, L, SS, NS or BS", offset: tag.lowerBound)
    }

    private static func validateSet(_ c: inout JSONCursor, element: (inout JSONCursor) throws(ShapeError) -> Void) throws(ShapeError) {
        guard c.peek() == UInt8(ascii: "[") else { throw c.fail("expected an array for a set") }
        guard try c.openArray() else { return }
        var index = 0
        repeat {
            do throws(ShapeError) { try element(&c) } catch { throw error.inside(.index(index)) }
            index += 1
        } while try c.nextMember(closing: UInt8(ascii: "]"))
    }

    private static func expectString(_ c: inout JSONCursor) throws(ShapeError) {
        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a string") }
        _ = try c.readString()
    }

    /// N values are strings holding a number: `"12.50"`, `"-0"`, `"1E+3"`.
    private static func readNumberString(_ c: inout JSONCursor) throws(ShapeError) {
        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a numeric string") }
        let token = try c.readString()
        let r = token.content
        let valid: Bool
        if token.hasEscapes {  // legal JSON, never written by AWS: check the unescaped text
            let text = c.unescaped(r)
            valid = text.withUnsafeBufferPointer {
                NumberGrammar.scan($0.baseAddress!, from: 0, to: $0.count, allowPlus: true, json: false) == $0.count
            }
        } else {
            valid = NumberGrammar.scan(c.base, from: r.lowerBound, to: r.upperBound, allowPlus: true, json: false) == r.upperBound
        }
        guard valid else { throw ShapeError(expectation: "expected a numeric string", offset: r.lowerBound) }
    }

    /// B values are base64 strings.
    private static func readBase64(_ c: inout JSONCursor) throws(ShapeError) {
        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a base64 string") }
        let token = try c.readString()
        let valid =
            token.hasEscapes ? c.unescaped(token.content).withUnsafeBufferPointer { Base64.isValid($0) } : Base64.isValid(c.bytes(token.content))
        guard valid else {
            throw ShapeError(expectation: "expected a base64 string", offset: token.content.lowerBound)
        }
    }
}

extension JSONCursor {
    /// The raw text of `range` (for messages; allocates).
    public func text(_ range: Range<Int>) -> String {
        String(decoding: bytes(range), as: UTF8.self)
    }
}
