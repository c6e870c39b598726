public import Foundation

/// An endpoint URL as it may be shown in errors and logs: without the `user:password@` part.
///
/// `--endpoint-url http://user:password@host` is accepted (a proxy may want it), but whatever prints an
/// endpoint prints it through this type so the password never reaches a terminal, a log or a journal.
///
/// ```swift
/// RedactedEndpoint("http://alice:secret@127.0.0.1:5000/").description   // "http://<redacted>@127.0.0.1:5000/"
/// ```
public struct RedactedEndpoint: Sendable, CustomStringConvertible {
    /// The URL text with any user information replaced by `<redacted>`.
    public let description: String

    /// Redacts a URL given as text (parsed or not: an invalid URL is redacted the same way).
    /// - Parameter text: The URL as the user wrote it.
    public init(_ text: String) {
        description = Self.redact(text)
    }

    /// Redacts a URL.
    /// - Parameter url: The URL.
    public init(_ url: URL) {
        description = Self.redact(url.absoluteString)
    }

    /// Replaces the user information of the authority (everything before the last `@` ahead of the path) by `<redacted>`.
    private static func redact(_ text: String) -> String {
        let authorityStart: String.Index
        if let scheme = text.range(of: "://") {
            authorityStart = scheme.upperBound
        } else if text.hasPrefix("//") {
            authorityStart = text.index(text.startIndex, offsetBy: 2)
        } else {
            authorityStart = text.startIndex
        }
        let rest = text[authorityStart...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<authorityStart]) + "<redacted>" + String(text[at...])
    }
}
