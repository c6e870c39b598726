/// A stream sequence number: a decimal string of any length, ordered numerically.
///
/// DynamoDB Streams uses 21-40 digits, Kinesis 56. Sequence numbers are never parsed into a fixed-width
/// integer: they are compared as digit strings (leading zeros ignored, then length, then digits), and
/// stored in the catalog zero-padded to ``paddedWidth`` so that SQLite's text order is numeric order.
public struct SequenceNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Width of the zero-padded catalog form. Longer numbers are rejected at parse time.
    public static let paddedWidth = 64

    /// The digits exactly as the source wrote them (leading zeros kept).
    public let text: String

    /// Creates a sequence number from its decimal text.
    /// - Returns: `nil` when `text` is empty, has a non-digit, or more than ``paddedWidth`` significant digits.
    public init?(_ text: String) {
        var utf8 = text.utf8
        guard Self.isValid(&utf8) else { return nil }
        self.text = text
    }

    private static func isValid(_ utf8: inout String.UTF8View) -> Bool {
        guard !utf8.isEmpty else { return false }
        var significant = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            if significant > 0 || byte != UInt8(ascii: "0") { significant += 1 }
        }
        return significant <= paddedWidth
    }

    /// Creates a sequence number from the catalog's zero-padded form.
    public init?(padded: String) {
        let trimmed = padded.drop { $0 == "0" }
        self.init(trimmed.isEmpty ? "0" : String(trimmed))
    }

    /// The zero-padded form stored in the catalog: text order equals numeric order.
    public var padded: String {
        let significant = text.utf8.drop { $0 == UInt8(ascii: "0") }
        return String(repeating: "0", count: Self.paddedWidth - significant.count) + String(decoding: significant, as: UTF8.self)
    }

    public var description: String { text }

    public static func < (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
        compareDigits(lhs.text.utf8, rhs.text.utf8) < 0
    }

    public static func == (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
        compareDigits(lhs.text.utf8, rhs.text.utf8) == 0
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(padded)
    }

    /// Compares two digit strings numerically: -1, 0 or 1. Works on any collection of ASCII digits
    /// so the ingest path can compare bytes in its input buffer without making a `String`.
    @inlinable
    public static func compareDigits<A: Collection, B: Collection>(_ a: A, _ b: B) -> Int
    where A.Element == UInt8, B.Element == UInt8 {
        let a = a.drop { $0 == UInt8(ascii: "0") }
        let b = b.drop { $0 == UInt8(ascii: "0") }
        let (countA, countB) = (a.count, b.count)
        if countA != countB { return countA < countB ? -1 : 1 }
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return 0
    }
}
