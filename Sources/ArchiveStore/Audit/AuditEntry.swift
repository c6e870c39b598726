import Crypto
import Foundation
public import StreamModel

/// One line of the audit log (`storage/audit.ndjson`, docs/AUDIT.md).
///
/// The line is JSON with its keys in this fixed order and no spaces:
/// `{"seq":N,"time":"…","kind":"…","stream":"…","details":{…keys sorted…},"prev":"<64 hex>","hash":"<64 hex>"}`.
/// `hash` is the SHA-256 of the line's bytes without `,"hash":"…"` (the text up to `"prev":"…"` followed by `}`);
/// `prev` is the previous entry's `hash` (64 zeros for the first entry). Anyone can recompute the chain with
/// `sed` and `sha256sum`, or a few lines of Python (docs/audit-verify.py).
public struct AuditEntry: Sendable, Equatable {
    /// 1 for the first entry, then one more per entry.
    public var sequence: Int64
    /// When the entry was written, epoch milliseconds.
    public var time: Int64
    public var kind: AuditKind
    /// The stream it concerns ("" for archive-wide entries).
    public var stream: String
    public var details: [String: AuditValue]
    /// The previous entry's ``hash``.
    public var previousHash: String
    /// SHA-256 (hex) of the entry's canonical text.
    public var hash: String

    /// The `prev` of the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Makes the entry that follows `previous` (nil: the first entry), computing its hash.
    init(after previous: (sequence: Int64, hash: String)?, time: Int64, kind: AuditKind, stream: String, details: [String: AuditValue]) {
        let sequence = (previous?.sequence ?? 0) + 1
        let previousHash = previous?.hash ?? Self.genesisHash
        self.sequence = sequence
        self.time = time
        self.kind = kind
        self.stream = stream
        self.details = details
        self.previousHash = previousHash
        self.hash = Self.sha256(
            Self.canonicalText(sequence: sequence, time: time, kind: kind, stream: stream, details: details, previous: previousHash)
        )
    }

    /// The text the hash is taken over: the line without its `hash` field.
    static func canonicalText(
        sequence: Int64,
        time: Int64,
        kind: AuditKind,
        stream: String,
        details: [String: AuditValue],
        previous: String
    ) -> String {
        // Keys in byte order: the same text whichever language re-encodes it.
        let fields = details.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { key in
            AuditJSON.quote(key) + ":" + (details[key]?.json ?? "null")
        }
        return "{\"seq\":\(sequence),\"time\":\(AuditJSON.quote(ISO8601.format(millis: time))),\"kind\":\(AuditJSON.quote(kind.rawValue)),"
            + "\"stream\":\(AuditJSON.quote(stream)),\"details\":{\(fields.joined(separator: ","))},\"prev\":\(AuditJSON.quote(previous))}"
    }

    /// The entry's line, without the newline.
    public var line: String {
        var text = Self.canonicalText(sequence: sequence, time: time, kind: kind, stream: stream, details: details, previous: previousHash)
        text.removeLast()
        return text + ",\"hash\":\"\(hash)\"}"
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The hash a line's own text gives (the line without its trailing `,"hash":"<64 hex>"}` plus `}`), or nil when
    /// the line does not end in a hash field.
    static func recomputedHash(ofLine line: Substring) -> String? {
        let suffixLength = ",\"hash\":\"".count + 64 + "\"}".count
        guard line.utf8.count > suffixLength, line.hasSuffix("\"}") else { return nil }
        let cut = line.utf8.index(line.utf8.endIndex, offsetBy: -suffixLength)
        guard line[cut...].hasPrefix(",\"hash\":\"") else { return nil }
        return sha256(String(line[..<cut]) + "}")
    }

    /// Parses one line; nil with a reason when it is not an audit entry.
    static func parse(_ line: Substring) -> Result<AuditEntry, AuditParseError> {
        let decoded: Decoded
        do {
            decoded = try JSONDecoder().decode(Decoded.self, from: Data(line.utf8))
        } catch {
            return .failure(AuditParseError(reason: "not an audit entry (\(Self.describe(error)))"))
        }
        guard let time = ISO8601.parseMillis(decoded.time) else {
            return .failure(AuditParseError(reason: "field 'time' is not an ISO 8601 time ('\(decoded.time)')"))
        }
        return .success(
            AuditEntry(
                sequence: decoded.seq,
                time: time,
                kind: AuditKind(rawValue: decoded.kind),
                stream: decoded.stream,
                details: decoded.details.mapValues(\.value),
                previousHash: decoded.prev,
                hash: decoded.hash
            )
        )
    }

    private init(sequence: Int64, time: Int64, kind: AuditKind, stream: String, details: [String: AuditValue], previousHash: String, hash: String) {
        self.sequence = sequence
        self.time = time
        self.kind = kind
        self.stream = stream
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): return "no field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not JSON" : "field '\(path)' has the wrong type"
        default: return "not JSON"
        }
    }

    private struct Decoded: Decodable {
        var seq: Int64
        var time: String
        var kind: String
        var stream: String
        var details: [String: DecodedValue]
        var prev: String
        var hash: String
    }

    private struct DecodedValue: Decodable {
        var value: AuditValue
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int64.self) {
                value = .int(n)
            } else if let b = try? c.decode(Bool.self) {
                value = .bool(b)
            } else {
                value = .string(try c.decode(String.self))
            }
        }
    }
}

/// Why a line of the audit log is not an entry.
struct AuditParseError: Error {
    var reason: String
}

extension AuditEntry {
    /// A detail's string value ("" when absent or not a string).
    public func string(_ key: String) -> String {
        if case .string(let s) = details[key] { return s }
        return ""
    }

    /// A detail's integer value.
    public func int(_ key: String) -> Int64? {
        if case .int(let n) = details[key] { return n }
        return nil
    }
}
