/// Checks DynamoDB attribute values in their JSON form (`{"S":"x"}`, `{"M":{...}}`, ...) without building them.
///
/// Accepts exactly what DynamoDB Streams writes: one type descriptor per value (S, N, B, BOOL, NULL, M, L,
/// SS, NS, BS), N as a numeric string, B as base64. Errors carry the path to the bad value,
/// e.g. `total.N: expected a numeric string`.
public enum AttributeValueValidator {
    /// Validates an attribute map (`{"name": AttributeValue, ...}`), as found in Keys, NewImage and OldImage.
    public static func validateMap(_ c: inout JSONCursor, depth: Int = 0) throws(ShapeError) {
        guard depth < JSONCursor.maxDepth else { throw c.fail("attribute values nested too deeply") }
        guard try c.openObject() else { return }
        repeat {
            let name = try c.readKey()
            do throws(ShapeError) { try validateValue(&c, depth: depth + 1) } catch { throw error.inside(.key(c.text(name))) }
        } while try c.nextMember(closing: UInt8(ascii: "}"))
    }

    /// Validates one attribute value (`{"T": value}`).
    public static func validateValue(_ c: inout JSONCursor, depth: Int) throws(ShapeError) {
        guard c.peek() == UInt8(ascii: "{") else {
            throw c.fail("expected an attribute value object like {\"S\": \"text\"}")
        }
        guard try c.openObject() else { throw c.fail("attribute value has no type descriptor (S, N, B, BOOL, NULL, M, L, SS, NS, BS)") }
        let tag = try c.readKey()
        do throws(ShapeError) { try validatePayload(&c, tag: tag, depth: depth) } catch { throw error.inside(.key(c.text(tag))) }
        guard c.peek() == UInt8(ascii: "}") else {
            throw c.fail("attribute value must have exactly one type descriptor")
        }
        c.offset += 1
    }

    private static func validatePayload(_ c: inout JSONCursor, tag: Range<Int>, depth: Int) throws(ShapeError) {
        switch tag.count {
        case 1:
            switch c.byte(at: tag.lowerBound) {
            case UInt8(ascii: "S"): try expectString(&c)
            case UInt8(ascii: "N"): try readNumberString(&c)
            case UInt8(ascii: "B"): try readBase64(&c)
            case UInt8(ascii: "M"): try validateMap(&c, depth: depth)
            case UInt8(ascii: "L"):
                guard c.peek() == UInt8(ascii: "[") else { throw c.fail("expected a list of attribute values") }
                guard try c.openArray() else { return }
                var index = 0
                repeat {
                    do throws(ShapeError) { try validateValue(&c, depth: depth + 1) } catch { throw error.inside(.index(index)) }
                    index += 1
                } while try c.nextMember(closing: UInt8(ascii: "]"))
            default: throw unknownType(c, tag)
            }
        case 2:
            switch (c.byte(at: tag.lowerBound), c.byte(at: tag.lowerBound + 1)) {
            case (UInt8(ascii: "S"), UInt8(ascii: "S")): try validateSet(&c, element: expectString)
            case (UInt8(ascii: "N"), UInt8(ascii: "S")): try validateSet(&c, element: readNumberString)
            case (UInt8(ascii: "B"), UInt8(ascii: "S")): try validateSet(&c, element: readBase64)
            default: throw unknownType(c, tag)
            }
        default:
            if c.equals(tag, "BOOL") {
                guard c.peek() == UInt8(ascii: "t") || c.peek() == UInt8(ascii: "f") else { throw c.fail("expected true or false") }
                _ = try c.readBool()
            } else if c.equals(tag, "NULL") {
                guard c.peek() == UInt8(ascii: "t") else { throw c.fail("expected true") }
                _ = try c.readBool()
            } else {
                throw unknownType(c, tag)
            }
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
        guard !token.hasEscapes,
            NumberGrammar.scan(c.base, from: r.lowerBound, to: r.upperBound, allowPlus: true, json: false) == r.upperBound
        else { throw ShapeError(expectation: "expected a numeric string", offset: r.lowerBound) }
    }

    /// B values are base64 strings.
    private static func readBase64(_ c: inout JSONCursor) throws(ShapeError) {
        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a base64 string") }
        let token = try c.readString()
        guard Base64.isValid(c.bytes(token.content)) else {
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
