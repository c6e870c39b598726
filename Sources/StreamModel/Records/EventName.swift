/// The kind of change a record describes.
public enum EventName: String, Sendable, CaseIterable {
    case insert = "INSERT"
    case modify = "MODIFY"
    case remove = "REMOVE"

    /// Matches raw bytes without making a `String` (hot path).
    static func match(_ b: UnsafeBufferPointer<UInt8>) -> EventName? {
        guard b.count == 6 else { return nil }
        let candidate: EventName
        switch b[0] {
        case UInt8(ascii: "I"): candidate = .insert
        case UInt8(ascii: "M"): candidate = .modify
        case UInt8(ascii: "R"): candidate = .remove
        default: return nil
        }
        var i = 1
        for byte in candidate.rawValue.utf8.dropFirst() {
            guard b[i] == byte else { return nil }
            i += 1
        }
        return candidate
    }
}
