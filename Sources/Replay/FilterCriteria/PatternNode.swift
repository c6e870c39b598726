import StreamModel

/// One object level of a compiled pattern: every field must match (AND); a field's value list is an OR.
final class PatternNode: Sendable {
    /// At most this many fields per object level (a bit mask tracks which were seen).
    static let maxFields = 64

    let fields: [PatternField]
    /// Record keys `PrincipalId`/`Type` (native records) also answer the Lambda shape's `principalId`/`type`.
    let identityAliases: Bool
    /// Whether a record without this object at all matches (every field matches absent).
    let matchesAbsent: Bool

    init(fields: [PatternField], identityAliases: Bool = false) {
        self.fields = fields
        self.identityAliases = identityAliases
        self.matchesAbsent = fields.allSatisfy(\.matchesAbsent)
    }

    /// Whether the object at the cursor matches; a non-object value counts as the object being absent.
    /// The cursor may be left anywhere inside the value (callers work on a copy).
    func matchObject(_ c: inout JSONCursor) -> Bool {
        guard c.peek() == UInt8(ascii: "{") else { return matchesAbsent }
        var seen: UInt64 = 0
        guard let open = try? c.openObject() else { return false }
        if open {
            repeat {
                guard let key = try? c.readKey() else { return false }
                if let index = fieldIndex(key, c) {
                    seen |= 1 << UInt64(index)
                    var probe = c
                    guard fields[index].matchValue(&probe) else { return false }
                }
                c.skipValidValue()
            } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        }
        for index in fields.indices where seen & (1 << UInt64(index)) == 0 {
            guard fields[index].matchesAbsent else { return false }
        }
        return true
    }

    private func fieldIndex(_ key: Range<Int>, _ c: JSONCursor) -> Int? {
        let raw = c.bytes(key)
        if raw.contains(UInt8(ascii: "\\")) {  // an escaped key: compare what it stands for (rare; allocates)
            let text = c.unescaped(key)
            return text.withUnsafeBufferPointer { find($0) }
        }
        return find(raw)
    }

    private func find(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        for (index, field) in fields.enumerated() where ValueMatcher.equal(name, field.name) { return index }
        guard identityAliases else { return nil }
        if ValueMatcher.equal(name, PatternField.nativePrincipal) { return fields.firstIndex { $0.name == PatternField.lambdaPrincipal } }
        if ValueMatcher.equal(name, PatternField.nativeType) { return fields.firstIndex { $0.name == PatternField.lambdaType } }
        return nil
    }
}

/// One field of a pattern object: a nested object, or a list of value matchers.
struct PatternField: Sendable {
    enum Test: Sendable {
        case object(PatternNode)
        case leaf([ValueMatcher])
    }

    static let nativePrincipal = Array("PrincipalId".utf8)
    static let nativeType = Array("Type".utf8)
    static let lambdaPrincipal = Array("principalId".utf8)
    static let lambdaType = Array("type".utf8)

    let name: [UInt8]
    let test: Test
    let matchesAbsent: Bool

    init(name: [UInt8], test: Test) {
        self.name = name
        self.test = test
        switch test {
        case .object(let node): matchesAbsent = node.matchesAbsent
        case .leaf(let matchers): matchesAbsent = matchers.contains { $0.matchesAbsent }
        }
    }

    /// Whether the value at the cursor matches. Arrays match when any element does (as AWS flattens them).
    func matchValue(_ c: inout JSONCursor) -> Bool {
        switch c.peek() {
        case UInt8(ascii: "["):
            guard let open = try? c.openArray() else { return false }
            guard open else { return matchesAbsent }  // an empty list holds no leaf
            repeat {
                var probe = c
                if matchElement(&probe) { return true }
                c.skipValidValue()
            } while (try? c.nextMember(closing: UInt8(ascii: "]"))) == true
            return false
        default:
            return matchElement(&c)
        }
    }

    private func matchElement(_ c: inout JSONCursor) -> Bool {
        switch test {
        case .object(let node):
            return node.matchObject(&c)
        case .leaf(let matchers):
            guard c.peek() != UInt8(ascii: "{"), c.peek() != UInt8(ascii: "[") else { return matchesAbsent }  // not a leaf
            return Self.withLeaf(&c) { value in matchers.contains { $0.matches(value) } } ?? false
        }
    }

    /// Reads the scalar at the cursor and hands it to `body`; `nil` when it cannot be read.
    static func withLeaf(_ c: inout JSONCursor, _ body: (LeafValue) -> Bool) -> Bool? {
        switch c.peek() {
        case UInt8(ascii: "\""):
            guard let token = try? c.readString() else { return nil }
            if token.hasEscapes {
                return c.unescaped(token.content).withUnsafeBufferPointer { body(.string($0)) }
            }
            return body(.string(c.bytes(token.content)))
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            guard let b = try? c.readBool() else { return nil }
            return body(.bool(b))
        case UInt8(ascii: "n"):
            guard (try? c.readNull()) != nil else { return nil }
            return body(.null)
        case nil:
            return nil
        default:
            guard let range = try? c.readNumber(), let value = ValueMatcher.double(c.bytes(range)) else { return nil }
            return body(.number(value))
        }
    }
}
