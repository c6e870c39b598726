import StreamModel

extension ItemChange {
    /// The change as one compact JSON object (what `streamvault history --json` prints per line):
    /// `time` (ISO 8601), `timeMillis`, `eventName`, `who` (`TTL`, the principal id, or null), `ttlDelete`,
    /// `principalType`, `shardId`, `sequenceNumber`, `eventID`, `keys`, `newImage`, `oldImage` (absent images are null).
    public var json: String {
        var out = "{\"time\":" + Self.quoted(ISO8601.format(millis: timeMillis)) + ",\"timeMillis\":\(timeMillis)"
        out += ",\"eventName\":" + Self.quoted(eventName)
        switch who {
        case .ttl: out += ",\"who\":\"TTL\",\"ttlDelete\":true,\"principalType\":\"Service\""
        case .principal(let type, let id): out += ",\"who\":" + Self.quoted(id) + ",\"ttlDelete\":false,\"principalType\":" + Self.quoted(type)
        case .unknown: out += ",\"who\":null,\"ttlDelete\":false,\"principalType\":null"
        }
        out += ",\"shardId\":" + Self.quoted(shardID) + ",\"sequenceNumber\":" + Self.quoted(sequenceNumber) + ",\"eventID\":" + Self.quoted(eventID)
        out += ",\"keys\":" + (keys ?? "null") + ",\"newImage\":" + (newImage ?? "null") + ",\"oldImage\":" + (oldImage ?? "null") + "}"
        return out
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String { JSONString.quoted(text) }
}
