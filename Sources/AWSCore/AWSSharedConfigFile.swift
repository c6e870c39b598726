import Foundation

/// A parsed AWS shared credentials or config file (`~/.aws/credentials`, `~/.aws/config`).
///
/// The format is INI-like: `[section]` headers, `key = value` lines, `#`/`;` comments. In the config
/// file, profiles other than `default` are written `[profile name]`; this type strips that prefix so
/// both files are looked up by plain profile name. Indented lines (nested settings such as `s3 =`
/// blocks) are skipped.
struct AWSSharedConfigFile: Sendable {
    /// Settings by profile name, keys lower-cased.
    private(set) var profiles: [String: [String: String]] = [:]

    /// Parses a file's text.
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - isConfigFile: `true` for the config file, where `[profile name]` names profile `name`.
    init(text: String, isConfigFile: Bool) {
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }  // nested settings
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else {
                    current = nil
                    continue
                }
                var name = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                if isConfigFile, name.hasPrefix("profile ") {
                    name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)
                } else if isConfigFile, name != "default", name.contains(" ") {
                    current = nil  // [sso-session x], [services x]: not profiles
                    continue
                }
                current = name
                if profiles[name] == nil { profiles[name] = [:] }
                continue
            }
            guard let profile = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if let comment = value.range(of: " #") ?? value.range(of: " ;") {  // inline comment
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            profiles[profile, default: [:]][key] = value
        }
    }

    /// The settings of one profile, or `nil` when the file has no such section.
    func profile(_ name: String) -> [String: String]? { profiles[name] }
}
