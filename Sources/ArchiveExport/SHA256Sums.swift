/// `SHA256SUMS`: one `<hex>  <name>` line per file, the format `sha256sum -c SHA256SUMS` checks.
public enum SHA256Sums {
    /// The file's name.
    public static let fileName = "SHA256SUMS"

    /// The file's text for `(name, hex digest)` pairs, in the order given.
    public static func text(_ entries: [(name: String, sha256: String)]) -> String {
        entries.map { "\($0.sha256)  \($0.name)\n" }.joined()
    }

    /// Parses the file; lines that do not have the shape come back as problems (1-based line, text).
    public static func parse(_ text: String) -> (entries: [(name: String, sha256: String)], malformed: [(line: Int, text: String)]) {
        var entries: [(String, String)] = []
        var malformed: [(Int, String)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            let hex = line.prefix(64)
            let rest = line.dropFirst(64)
            guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit }), rest.hasPrefix("  ") || rest.hasPrefix(" *") else {
                malformed.append((index + 1, String(line.prefix(120))))
                continue
            }
            entries.append((String(rest.dropFirst(2)), hex.lowercased()))
        }
        return (entries, malformed)
    }
}
