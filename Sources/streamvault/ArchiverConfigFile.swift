import ArgumentParser
import Foundation
import StreamSources

/// `archive --config FILE`: several streams archived by one process (docs/ARCHIVER-CONFIG.md).
///
/// Each key of a stream entry is the `archive` option of the same name without `--`; top-level keys give defaults
/// for every stream, the storage directory, the metrics port and the back-off of failed streams. Every entry becomes
/// an `archive` command, parsed and validated as if typed on the command line, so both ways accept the same values.
/// Errors name the file, the JSON path and what was expected; unknown keys are errors.
struct ArchiverConfigFile {
    /// The storage directory: `--storage`, else the file's `storage`, else $STREAMVAULT_STORAGE, else ./storage.
    let storage: String
    /// Serve Prometheus metrics at this port.
    let metricsPort: Int?
    /// ...on this address (default 127.0.0.1; the endpoint serves metrics and /healthz only).
    let metricsHost: String
    /// The waits between a failed stream's runs.
    let backoff: RetryBackoff
    /// One `archive` command per stream, in the file's order.
    let streams: [StreamVaultCommand.Archive]

    /// What a key holds, checked before the value becomes a command-line argument.
    enum ValueKind {
        case string, flag
        case seconds(maximum: Double)
        case whole(ClosedRange<Int>)

        var expected: String {
            switch self {
            case .string: "a string"
            case .flag: "true or false"
            case .seconds(let maximum): "a number of seconds above 0 and at most \(Self.plain(maximum))"
            case .whole(let range): "a whole number from \(range.lowerBound) to \(range.upperBound)"
            }
        }

        static func plain(_ value: Double) -> String {
            value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
    }

    /// Keys of a stream entry: `archive`'s options.
    static let streamKeys: KeyValuePairs<String, ValueKind> = [
        "table": .string,
        "stream-arn": .string,
        "kinesis-stream": .string,
        "stream": .string,
        "region": .string,
        "profile": .string,
        "endpoint-url": .string,
        "once": .flag,
        "start-at": .string,
        "poll-interval": .seconds(maximum: 300),
        "max-shard-readers": .whole(1...1000),
        "records-per-call": .whole(1...10_000),
        "segments": .string,
        "seal-interval": .seconds(maximum: 86_400),
        "local-cache-bytes": .whole(0...Int.max),
        "lease-table": .string,
        "lease-timeout": .string,
    ]

    /// Stream keys that may also be given at the top level, as every stream's default.
    static let defaultableKeys: Set<String> = [
        "region", "profile", "endpoint-url", "once", "poll-interval", "max-shard-readers", "records-per-call",
        "segments", "seal-interval", "local-cache-bytes", "lease-table", "lease-timeout",
    ]

    /// Keys of the top level besides the defaults.
    static let topLevelKeys: KeyValuePairs<String, ValueKind> = [
        "storage": .string,
        "metrics-port": .whole(0...65535),
        "metrics-host": .string,
    ]

    /// Keys of `retry`.
    static let retryKeys: KeyValuePairs<String, ValueKind> = [
        "initial-seconds": .seconds(maximum: 3600),
        "max-seconds": .seconds(maximum: 86400),
    ]

    /// Reads and checks a config file.
    /// - Parameters:
    ///   - path: The file.
    ///   - global: The command line's `--storage` (wins over the file's) and `--log-level`.
    /// - Returns: The streams and settings.
    /// - Throws: `ValidationError` naming the file, the JSON path and what was expected.
    static func load(path: String, global: GlobalOptions) throws -> ArchiverConfigFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("--config \(path): cannot read the file (\(error.localizedDescription)).")
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let detail = context.underlyingError.map { "\($0)" } ?? context.debugDescription
            throw ValidationError("\(path): not valid JSON: \(detail)")
        } catch {
            throw ValidationError("\(path): not valid JSON: \(error)")
        }
        return try ArchiverConfigFile(root: root, file: path, global: global)
    }

    private init(root: JSONValue, file: String, global: GlobalOptions) throws {
        func fail(_ path: String, _ message: String) -> ValidationError { ValidationError("\(file): \(path): \(message)") }
        guard case .object(let top) = root else {
            throw fail("(top level)", "expected an object with \"streams\", got \(root.kindName)")
        }
        var topKinds = Dictionary(uniqueKeysWithValues: Self.topLevelKeys.map { ($0.key, $0.value) })
        for (key, kind) in Self.streamKeys where Self.defaultableKeys.contains(key) { topKinds[key] = kind }
        var defaults: [(key: String, value: JSONValue)] = []
        var storage: String?
        var metricsPort: Int?
        var metricsHost = "127.0.0.1"
        var backoff = RetryBackoff()
        for key in top.keys.sorted() where key != "streams" && key != "retry" {
            guard let kind = topKinds[key] else {
                throw fail(key, "unknown key; expected one of \((["streams", "retry"] + topKinds.keys.sorted()).joined(separator: ", "))")
            }
            let value = top[key] ?? .null
            try Self.check(value, kind, path: key, fail: fail)
            switch key {
            case "storage": storage = value.string
            case "metrics-port": metricsPort = value.number.map { Int($0) }
            case "metrics-host": metricsHost = value.string ?? metricsHost
            default: defaults.append((key, value))
            }
        }
        if let retry = top["retry"] {
            guard case .object(let fields) = retry else { throw fail("retry", "expected an object, got \(retry.kindName)") }
            let kinds = Dictionary(uniqueKeysWithValues: Self.retryKeys.map { ($0.key, $0.value) })
            for key in fields.keys.sorted() {
                guard let kind = kinds[key] else {
                    throw fail("retry.\(key)", "unknown key; expected one of \(kinds.keys.sorted().joined(separator: ", "))")
                }
                try Self.check(fields[key] ?? .null, kind, path: "retry.\(key)", fail: fail)
            }
            let initial = fields["initial-seconds"]?.number ?? 1
            let maximum = fields["max-seconds"]?.number ?? 300
            guard maximum >= initial else {
                throw fail(
                    "retry.max-seconds",
                    "expected at least retry.initial-seconds (\(ValueKind.plain(initial))), got \(ValueKind.plain(maximum))"
                )
            }
            backoff = RetryBackoff(initial: .milliseconds(Int64(initial * 1000)), maximum: .milliseconds(Int64(maximum * 1000)))
        }
        if top["metrics-host"] != nil && metricsPort == nil {
            throw fail("metrics-host", "needs \"metrics-port\" (the metrics endpoint is served only with a port)")
        }
        guard let streamsValue = top["streams"] else { throw fail("streams", "missing; expected an array of streams") }
        guard case .array(let entries) = streamsValue, !entries.isEmpty else {
            throw fail("streams", "expected a non-empty array of streams, got \(streamsValue.kindName)")
        }
        let resolvedStorage = global.storage ?? storage ?? global.storageDirectory
        let streamKinds = Dictionary(uniqueKeysWithValues: Self.streamKeys.map { ($0.key, $0.value) })
        var commands: [StreamVaultCommand.Archive] = []
        var writers: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let path = "streams[\(index)]"
            guard case .object(let fields) = entry else { throw fail(path, "expected an object, got \(entry.kindName)") }
            for key in fields.keys.sorted() {
                guard let kind = streamKinds[key] else {
                    throw fail("\(path).\(key)", "unknown key; expected one of \(Self.streamKeys.map(\.key).joined(separator: ", "))")
                }
                try Self.check(fields[key] ?? .null, kind, path: "\(path).\(key)", fail: fail)
            }
            var merged: [String: JSONValue] = Dictionary(uniqueKeysWithValues: defaults.map { ($0.key, $0.value) })
            merged.merge(fields) { _, own in own }
            var arguments: [String] = []
            for (key, _) in Self.streamKeys {
                switch merged[key] {
                case .string(let text): arguments.append("--\(key)=\(text)")
                case .bool(true): arguments.append("--\(key)")
                case .number(let number): arguments.append("--\(key)=\(ValueKind.plain(number))")
                default: break
                }
            }
            arguments += ["--storage", resolvedStorage, "--log-level", global.logLevel]
            let command: StreamVaultCommand.Archive
            let name: String
            do {
                command = try StreamVaultCommand.Archive.parse(arguments)
                try command.validate()
                name = try command.archiveStreamName()
            } catch {
                throw fail(path, StreamVaultCommand.Archive.message(for: error))
            }
            if let earlier = writers[name] {
                throw fail(
                    path,
                    "writes the archive stream '\(name)' like streams[\(earlier)]; one process writes a stream once: "
                        + "remove one entry or give it another \"stream\" name"
                )
            }
            writers[name] = index
            // The storage directory remembers one bucket (readers find evicted segments through it).
            if let segments = command.segments, let other = commands.first(where: { $0.segments != nil && $0.segments != segments }) {
                throw fail(
                    "\(path).segments",
                    "expected the bucket location of the other streams (\(other.segments ?? "")): one storage directory uploads to one "
                        + "location; put \"segments\" at the top level"
                )
            }
            commands.append(command)
        }
        self.storage = resolvedStorage
        self.metricsPort = metricsPort
        self.metricsHost = metricsHost
        self.backoff = backoff
        self.streams = commands
    }

    /// Checks a value against what its key holds.
    private static func check(
        _ value: JSONValue,
        _ kind: ValueKind,
        path: String,
        fail: (String, String) -> ValidationError
    ) throws {
        let matches: Bool
        switch (kind, value) {
        case (.string, .string(let text)): matches = !text.isEmpty
        case (.flag, .bool): matches = true
        case (.seconds(let maximum), .number(let number)): matches = number > 0 && number <= maximum
        case (.whole(let range), .number(let number)):
            matches = number.rounded() == number && number >= Double(range.lowerBound) && number <= Double(range.upperBound)
        default: matches = false
        }
        guard matches else { throw fail(path, "expected \(kind.expected), got \(value.shown)") }
    }
}
