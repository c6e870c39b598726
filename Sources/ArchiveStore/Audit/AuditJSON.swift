import StreamModel

/// The few JSON pieces the audit log writes: quoted strings (RFC 8259 escapes, nothing else escaped).
enum AuditJSON {
    static func quote(_ s: String) -> String { JSONString.quoted(s) }
}
