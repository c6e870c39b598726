import StreamModel

/// One Lambda FilterCriteria pattern, compiled once, matched against archived records without parsing them
/// into objects (a ``JSONCursor`` walk over the stored bytes, only down the fields the pattern names).
///
/// The syntax is the one AWS documents for Lambda event source mappings ("Control which events Lambda sends
/// to your function"): a JSON object whose leaves are lists of values to match. Within a pattern every field
/// must match; a field's list matches when any entry does:
///
/// ```json
/// {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"status": {"S": ["SHIPPED", {"prefix": "RET"}]}}}}
/// ```
///
/// Entries: a string, number, `null` or boolean (equals; `""` is the empty string), `{"prefix": s}`,
/// `{"suffix": s}`, `{"equals-ignore-case": s}`, `{"anything-but": s | n | [s, n...] | {"prefix": s} |
/// {"suffix": s} | {"equals-ignore-case": s | [s...]}}`, `{"numeric": [op, n]}` or `{"numeric": [">"|">=", a,
/// "<"|"<=", b]}` (op one of `=`, `<`, `<=`, `>`, `>=`), `{"exists": true | false}`.
///
/// DynamoDB-shaped records are matched as the Lambda DynamoDB event record (`eventName`,
/// `dynamodb.Keys/NewImage/OldImage` in DynamoDB JSON, `userIdentity.principalId/type`); Kinesis-shaped
/// records as the Lambda Kinesis record, whose `data` is the decoded JSON payload (the only key Lambda
/// filters Kinesis records on). DynamoDB `N` values are JSON strings, so as on AWS `numeric` does not
/// match them; it matches JSON numbers such as `dynamodb.SizeBytes` and `dynamodb.ApproximateCreationDateTime`.
public struct FilterPattern: Sendable, CustomStringConvertible {
    /// Lambda's limit on one pattern's length, in characters.
    public static let maxLength = 4096
    /// The numbers `numeric` and `anything-but` accept (AWS: -5.0e9 to +5.0e9 inclusive).
    public static let numericLimit = 5.0e9

    /// The pattern as given.
    public let text: String
    let root: PatternNode

    /// Compiles a pattern.
    /// - Parameter text: the pattern's JSON text.
    /// - Throws: ``FilterPatternError`` naming the path inside the pattern and what was expected there.
    public init(_ text: String) throws(FilterPatternError) {
        guard text.unicodeScalars.count <= Self.maxLength else {
            throw FilterPatternError(
                code: .tooLong,
                path: "",
                expectation: "at most \(Self.maxLength) characters (Lambda's limit), found \(text.unicodeScalars.count)"
            )
        }
        self.text = text
        let json = try PatternJSON.parse(text)
        guard case .object(let members) = json else {
            throw FilterPatternError(code: .invalidPattern, path: "", expectation: "expected a JSON object, found \(json.kind)")
        }
        root = try PatternCompiler.node(members, path: "", depth: 0)
    }

    public var description: String { text }

    /// Whether a DynamoDB-shaped record (native, Lambda DynamoDB, kds, plain JSON) matches.
    /// - Parameter record: one record's JSON text (valid JSON, as archived).
    public func matches(record: UnsafeBufferPointer<UInt8>) -> Bool {
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        return root.matchObject(&c)
    }

    /// Whether a Kinesis record matches, given its decoded `data` (`nil` when it is not JSON): the pattern's
    /// `data` field is matched against it; any other top-level field counts as absent.
    public func matches(kinesisData data: UnsafeBufferPointer<UInt8>?) -> Bool {
        for field in root.fields {
            if let data, field.name == Self.dataKey {
                var c = JSONCursor(UnsafeRawBufferPointer(data))
                guard field.matchValue(&c) else { return false }
            } else if !field.matchesAbsent {
                return false
            }
        }
        return true
    }

    private static let dataKey = Array("data".utf8)
}
