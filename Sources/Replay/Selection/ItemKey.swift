import ArchiveStore
import StreamModel

/// The key of one item, as attribute values: `orderId=ORD-1` (S), `total:N=42`, `blob:B=AAEC` (base64);
/// several attributes for a composite key (partition and sort key).
///
/// A record matches when its `dynamodb.Keys` holds every attribute given with the same type and value; naming
/// only the partition key of a composite-key table selects every item of that partition.
public struct ItemKey: Sendable, Equatable, CustomStringConvertible {
    /// A key attribute's type.
    public enum AttributeType: String, Sendable, CaseIterable {
        case string = "S"
        case number = "N"
        case binary = "B"
    }

    /// One key attribute.
    public struct Attribute: Sendable, Equatable {
        /// The attribute name.
        public var name: String
        /// S, N or B.
        public var type: AttributeType
        /// The value as DynamoDB JSON writes it: the string, the canonical number, the base64 text.
        public var value: String

        /// An attribute; N values are canonicalized (`042.50` -> `42.5`), as DynamoDB stores numbers.
        public init(name: String, type: AttributeType, value: String) {
            self.name = name
            self.type = type
            self.value = type == .number ? Self.canonicalNumber(value) : value
        }

        /// `-0012.3400` -> `-12.34`, `+5` -> `5`, `-0` -> `0`; an exponent is kept as written.
        static func canonicalNumber(_ text: String) -> String {
            var body = Substring(text)
            var negative = false
            if body.first == "+" || body.first == "-" {
                negative = body.first == "-"
                body = body.dropFirst()
            }
            var exponent = ""
            if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                exponent = "E" + body[body.index(after: e)...]
                body = body[..<e]
            }
            var integer = body
            var fraction: Substring = ""
            if let dot = body.firstIndex(of: ".") {
                integer = body[..<dot]
                fraction = body[body.index(after: dot)...]
            }
            while integer.count > 1, integer.first == "0" { integer = integer.dropFirst() }
            if integer.isEmpty { integer = "0" }
            while fraction.last == "0" { fraction = fraction.dropLast() }
            var out = String(integer)
            if !fraction.isEmpty { out += "." + fraction }
            if out == "0" && exponent.isEmpty { return "0" }
            return (negative ? "-" : "") + out + exponent
        }
    }

    /// The attributes, in the order given.
    public var attributes: [Attribute]

    /// A key of the given attributes (at least one).
    public init(_ attributes: [Attribute]) {
        self.attributes = attributes
    }

    /// Parses `--key` arguments: `name=value` (S), `name:S=value`, `name:N=42`, `name:B=base64`.
    /// - Throws: ``SelectionError`` (``SelectionError/Code/invalidKey``) naming the argument and what was expected.
    public init(parsing arguments: [String]) throws(SelectionError) {
        guard !arguments.isEmpty else { throw SelectionError(code: .invalidKey, message: "A key needs at least one attribute: --key name=value.") }
        var attributes: [Attribute] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw SelectionError(
                    code: .invalidKey,
                    message: "--key '\(argument.prefix(80))' has no '=': pass name=value (a string), name:N=42 (a number) or name:B=AAEC (base64)."
                )
            }
            var name = String(argument[..<equals])
            let value = String(argument[argument.index(after: equals)...])
            var type = AttributeType.string
            if let colon = name.lastIndex(of: ":") {
                let suffix = String(name[name.index(after: colon)...])
                guard let given = AttributeType(rawValue: suffix.uppercased()) else {
                    throw SelectionError(
                        code: .invalidKey,
                        message: "--key '\(argument.prefix(80))': type '\(suffix)' is not a key type: use S, N or B (name:N=42)."
                    )
                }
                type = given
                name = String(name[..<colon])
            }
            guard !name.isEmpty else {
                throw SelectionError(code: .invalidKey, message: "--key '\(argument.prefix(80))' has no attribute name before '=': pass name=value.")
            }
            guard !attributes.contains(where: { $0.name == name }) else {
                throw SelectionError(code: .invalidKey, message: "--key names attribute '\(name)' twice: give each key attribute once.")
            }
            switch type {
            case .string:
                guard !value.isEmpty else {
                    throw SelectionError(
                        code: .invalidKey,
                        message: "--key '\(argument.prefix(80))': a key string cannot be empty (DynamoDB rejects it)."
                    )
                }
            case .number:
                let ok = Array(value.utf8).withUnsafeBufferPointer { p in
                    p.baseAddress.map { NumberGrammar.scan($0, from: 0, to: p.count, allowPlus: true, json: false) == p.count } ?? false
                }
                guard ok else {
                    throw SelectionError(
                        code: .invalidKey,
                        message: "--key '\(argument.prefix(80))': '\(value.prefix(60))' is not a number: pass digits like 42 or -1.5."
                    )
                }
            case .binary:
                guard !value.isEmpty, Base64.decode(Array(value.utf8)) != nil else {
                    throw SelectionError(
                        code: .invalidKey,
                        message:
                            "--key '\(argument.prefix(80))': '\(value.prefix(60))' is not padded base64: pass B values as DynamoDB JSON writes them (AAEC)."
                    )
                }
            }
            attributes.append(Attribute(name: name, type: type, value: value))
        }
        self.init(attributes)
    }

    /// `orderId=ORD-1, total:N=42`.
    public var description: String {
        attributes.map { $0.type == .string ? "\($0.name)=\($0.value)" : "\($0.name):\($0.type.rawValue)=\($0.value)" }.joined(separator: ", ")
    }

    /// Each attribute's hash in a block's key filter (``BlockKeyFilter``).
    var attributeHashes: [UInt64] {
        attributes.map { BlockKeyFilter.hash(name: Array($0.name.utf8), type: Array($0.type.rawValue.utf8), value: Array($0.value.utf8)) }
    }

    /// The pattern `{"dynamodb":{"Keys":{name:{type:[value]}...}}}`, matched against the change record.
    var patternNode: PatternNode {
        let keys = attributes.map { attribute in
            PatternField(
                name: Array(attribute.name.utf8),
                test: .object(
                    PatternNode(fields: [
                        PatternField(name: Array(attribute.type.rawValue.utf8), test: .leaf([.equalsString(Array(attribute.value.utf8))]))
                    ])
                )
            )
        }
        return PatternNode(fields: [
            PatternField(
                name: Array("dynamodb".utf8),
                test: .object(PatternNode(fields: [PatternField(name: Array("Keys".utf8), test: .object(PatternNode(fields: keys)))]))
            )
        ])
    }
}
