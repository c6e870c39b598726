/// An AWS access key pair, optionally with a session token for temporary credentials.
///
/// The secret parts never appear in ``description`` or ``debugDescription``, so a
/// credentials value can be logged or interpolated into an error without leaking it.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key ID (`AKIA…`/`ASIA…`). Not secret, but shown only abbreviated.
    public var accessKeyID: String
    /// The secret access key. Never printed.
    public var secretAccessKey: String
    /// The session token of temporary credentials (STS, SSO), sent as `X-Amz-Security-Token`. Never printed.
    public var sessionToken: String?

    /// Creates credentials.
    /// - Parameters:
    ///   - accessKeyID: The access key ID.
    ///   - secretAccessKey: The secret access key.
    ///   - sessionToken: The session token of temporary credentials, or `nil` for long-term keys.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// A redacted description: the first four characters of the key ID, nothing of the secrets.
    public var description: String {
        let shownKey = accessKeyID.count > 4 ? String(accessKeyID.prefix(4)) + "…" : "…"
        return "AWSCredentials(accessKeyID: \(shownKey), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "none" : "<redacted>"))"
    }

    /// Same as ``description``: secrets stay redacted in debug output too.
    public var debugDescription: String { description }
}
