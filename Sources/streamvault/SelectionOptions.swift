import ArgumentParser
import Foundation
import Replay
import StreamModel

/// Which records a command picks, beyond time and shard: Lambda FilterCriteria patterns, one item's key, TTL
/// deletes. Shared by `replay` and the commands that select records the same way (export, history).
struct SelectionOptions: ParsableArguments {
    @Option(
        name: .customLong("filter"),
        help: ArgumentHelp(
            "A Lambda FilterCriteria pattern, or @file.json (a pattern, or {\"Filters\":[{\"Pattern\":...}]}). Repeat: a record passes if any pattern matches.",
            valueName: "pattern"
        )
    )
    var filters: [String] = []

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp(
            "Only changes of this item: attr=value (S), attr:N=42, attr:B=base64. Repeat for a composite key.",
            valueName: "attr=value"
        )
    )
    var keys: [String] = []

    @Flag(name: .customLong("only-ttl-deletes"), help: "Only TTL deletes (REMOVE by dynamodb.amazonaws.com).")
    var onlyTTLDeletes = false

    @Flag(name: .customLong("exclude-ttl-deletes"), help: "Leave TTL deletes out.")
    var excludeTTLDeletes = false

    func validate() throws {
        _ = try recordSelection(eventNames: [])
    }

    /// The selection these options describe, with the command's `--event-name` list.
    /// - Throws: `ValidationError` saying what to pass instead.
    func recordSelection(eventNames: [EventName]) throws -> RecordSelection {
        if onlyTTLDeletes && excludeTTLDeletes {
            throw ValidationError("--only-ttl-deletes and --exclude-ttl-deletes exclude each other: pass one of them.")
        }
        var selection = RecordSelection(eventNames: Set(eventNames))
        selection.ttlDeletes = onlyTTLDeletes ? .only : excludeTTLDeletes ? .exclude : .include
        if !keys.isEmpty {
            do throws(SelectionError) {
                selection.key = try ItemKey(parsing: keys)
            } catch {
                throw ValidationError(error.message)
            }
        }
        for (index, argument) in filters.enumerated() {
            let name = filters.count == 1 ? "--filter" : "--filter #\(index + 1)"
            for text in try Self.patternTexts(argument, name) {
                do throws(FilterPatternError) {
                    selection.patterns.append(try FilterPattern(text))
                } catch {
                    throw ValidationError("\(name): \(error.message)")
                }
            }
        }
        return selection
    }

    /// How the selection is named where it is recorded (an export's manifest `filters`), as given.
    var descriptions: [String] {
        var out = keys.map { "key " + $0 }
        if onlyTTLDeletes { out.append("only TTL deletes") }
        if excludeTTLDeletes { out.append("without TTL deletes") }
        out += filters.map { "FilterCriteria " + $0 }
        return out
    }

    /// The pattern texts of one `--filter` argument: the pattern itself, or those of a file named `@path`.
    static func patternTexts(_ argument: String, _ name: String) throws -> [String] {
        guard argument.hasPrefix("@") else { return [argument] }
        let path = String(argument.dropFirst())
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(name): cannot read the pattern file '\(path)': check the path (a pattern as JSON, after '@').")
        }
        // The AWS CLI's --filter-criteria file: {"Filters":[{"Pattern":"{...}"}]}.
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let filters = object["Filters"] {
            guard let list = filters as? [[String: Any]], !list.isEmpty else {
                throw ValidationError("\(name): '\(path)' has 'Filters' but not a non-empty list of {\"Pattern\": \"...\"} objects.")
            }
            return try list.enumerated().map { index, filter in
                guard let pattern = filter["Pattern"] as? String else {
                    throw ValidationError("\(name): '\(path)' Filters[\(index)].Pattern: expected the pattern as a JSON string.")
                }
                return pattern
            }
        }
        return [text]
    }
}
