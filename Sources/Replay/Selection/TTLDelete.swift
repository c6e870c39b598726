import StreamModel

/// TTL deletes: the REMOVE records DynamoDB's Time to Live writes, told apart by their `userIdentity`
/// (`Type` Service, `PrincipalId` dynamodb.amazonaws.com; `type`/`principalId` in the Lambda and kds shapes).
public enum TTLDelete {
    /// Which TTL deletes a selection keeps.
    public enum Selection: String, Sendable, CaseIterable {
        /// Every record, TTL deletes included (default).
        case include
        /// Only TTL deletes.
        case only
        /// Everything but TTL deletes.
        case exclude
    }

    /// The pattern of a TTL delete (`userIdentity` matches native and Lambda spellings).
    static let pattern = PatternNode(fields: [
        PatternField(name: Array("eventName".utf8), test: .leaf([.equalsString(Array("REMOVE".utf8))])),
        PatternField(
            name: Array("userIdentity".utf8),
            test: .object(
                PatternNode(
                    fields: [
                        PatternField(name: Array("type".utf8), test: .leaf([.equalsString(Array("Service".utf8))])),
                        PatternField(name: Array("principalId".utf8), test: .leaf([.equalsString(Array("dynamodb.amazonaws.com".utf8))])),
                    ],
                    identityAliases: true
                )
            )
        ),
    ])

    /// Whether a DynamoDB-shaped change record (native, Lambda DynamoDB, kds) is a TTL delete.
    public static func isTTLDelete(_ change: UnsafeBufferPointer<UInt8>) -> Bool {
        var c = JSONCursor(UnsafeRawBufferPointer(change))
        return pattern.matchObject(&c)
    }
}
