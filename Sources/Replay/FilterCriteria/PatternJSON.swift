import StreamModel

/// A filter pattern read as a small JSON tree. Patterns are parsed once per replay, so a tree is fine here;
/// records are never parsed this way.
enum PatternJSON {
    /// One member of an object, in the order written.
    struct Member {
        var key: String
        var value: PatternJSON
    }

    case object([Member])
    case array([PatternJSON])
    case string(String)
    /// A number: its value and its text (kept for messages).
    case number(Double, String)
    case bool(Bool)
    case null

    /// How a value is named in messages.
    var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string(let s): "the string \"\(s.prefix(40))\""
        case .number(_, let text): "the number \(text)"
        case .bool(let b): "\(b)"
        case .null: "null"
        }
    }

    /// Parses `text` (one JSON value, nothing after it).
    static func parse(_ text: String) throws(FilterPatternError) -> PatternJSON {
        let result: Result<PatternJSON, ShapeError> = Array(text.utf8).withUnsafeBytes { raw in
            var c = JSONCursor(raw)
            do throws(ShapeError) {
                let value = try read(&c, depth: 0)
                guard c.atEnd() else { throw c.fail("expected the end of the pattern after its JSON value") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error):
            throw FilterPatternError(
                code: .invalidJSON,
                path: error.pathText,
                expectation: "the pattern is not valid JSON (byte \(error.offset)): \(error.expectation)"
            )
        }
    }

    private static func read(_ c: inout JSONCursor, depth: Int) throws(ShapeError) -> PatternJSON {
        guard depth < JSONCursor.maxDepth else { throw c.fail("nested too deeply") }
        switch c.peek() {
        case UInt8(ascii: "{"):
            var members: [Member] = []
            if try c.openObject() {
                repeat {
                    guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a key string") }
                    let token = try c.readString()
                    guard c.peek() == UInt8(ascii: ":") else { throw c.fail("expected ':' after a key") }
                    c.offset += 1
                    let key = String(decoding: c.unescaped(token.content), as: UTF8.self)
                    do throws(ShapeError) {
                        members.append(Member(key: key, value: try read(&c, depth: depth + 1)))
                    } catch {
                        throw error.inside(.key(key))
                    }
                } while try c.nextMember(closing: UInt8(ascii: "}"))
            }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [PatternJSON] = []
            if try c.openArray() {
                repeat {
                    do throws(ShapeError) {
                        elements.append(try read(&c, depth: depth + 1))
                    } catch {
                        throw error.inside(.index(elements.count))
                    }
                } while try c.nextMember(closing: UInt8(ascii: "]"))
            }
            return .array(elements)
        case UInt8(ascii: "\""):
            let token = try c.readString()
            return .string(String(decoding: c.unescaped(token.content), as: UTF8.self))
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try c.readBool())
        case UInt8(ascii: "n"):
            try c.readNull()
            return .null
        case nil:
            throw c.fail("expected a value")
        default:
            let range = try c.readNumber()
            let text = c.text(range)
            guard let value = Double(text) else { throw c.fail("expected a number") }
            return .number(value, text)
        }
    }
}
