/// The form of a shard id named by the user (`ingest --shard`): 1 to 128 characters of `A-Z a-z 0-9 . _ : -`.
///
/// AWS shard ids (`shardId-00000001767225600000-a1b2c3d4`, up to 65 characters) fit. The name `default` is
/// reserved for the stream's event-id shard, where records go when their input names no shard.
public enum ShardName {
    /// Longest shard id accepted.
    public static let maxLength = 128

    /// The rule as one sentence, for messages and help.
    public static let rule = "1 to \(maxLength) characters of A-Z, a-z, 0-9, '.', '_', ':' and '-' (AWS shard ids fit), not 'default'"

    /// Throws ``ArchiveError`` (`invalidArgument`) unless `id` is a shard id a user may name.
    public static func validate(_ id: String) throws {
        if id == ShardInfo.defaultShardID {
            throw ArchiveError(
                code: .invalidArgument,
                message: "The shard name '\(id)' is reserved for the stream's event-id shard, where records go without --shard "
                    + "(duplicates recognised by eventID). Leave out --shard for that, or name the real shard with --shard ID."
            )
        }
        let allowed = id.utf8.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
                || b == UInt8(ascii: ":") || b == UInt8(ascii: "-")
        }
        guard !id.isEmpty, id.utf8.count <= maxLength, allowed else {
            throw ArchiveError(code: .invalidArgument, message: "--shard \(preview(id)) is not a shard id: use \(rule).")
        }
    }

    /// The id quoted for a message: control characters escaped, at most 40 characters.
    static func preview(_ id: String) -> String {
        let shown = id.count > 40 ? String(id.prefix(40)) + "... (\(id.utf8.count) bytes)" : id
        return "'" + shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? $0.escaped(asASCII: true) : String($0) }.joined() + "'"
    }
}
