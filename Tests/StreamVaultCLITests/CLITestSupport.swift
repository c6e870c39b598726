import Foundation
import StreamVaultTesting
import Testing

/// A scratch directory with an archive in `storage/`, driven through the real `streamvault` binary.
struct CLIWorkspace {
    let directory: TemporaryDirectory
    var storage: String { directory.path + "/storage" }

    init() throws { directory = try TemporaryDirectory("cli") }

    @discardableResult
    func run(_ arguments: [String], stdin: Data? = nil) throws -> CommandRunner.Result {
        try CommandRunner.streamvault(arguments + ["--storage", storage], stdin: stdin)
    }

    /// Runs and requires exit status 0.
    @discardableResult
    func ok(_ arguments: [String], stdin: Data? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandRunner.Result {
        let result = try run(arguments, stdin: stdin)
        #expect(result.status == 0, "streamvault \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs like ``run(_:stdin:)`` without blocking a cooperative thread while the child runs.
    @discardableResult
    func runAsync(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) async throws -> CommandRunner.Result {
        try await CommandRunner.streamvaultAsync(arguments + ["--storage", storage], stdin: stdin, environment: environment)
    }

    /// Runs like ``ok(_:stdin:sourceLocation:)`` without blocking a cooperative thread while the child runs.
    @discardableResult
    func okAsync(
        _ arguments: [String],
        stdin: Data? = nil,
        environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CommandRunner.Result {
        let result = try await runAsync(arguments, stdin: stdin, environment: environment)
        #expect(result.status == 0, "streamvault \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    func write(_ name: String, _ lines: [String]) throws -> String {
        let path = directory.file(name)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func segments(_ stream: String = "orders") throws -> [String] {
        let dir = storage + "/" + stream + "/segments"
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".zst") }.sorted().map { dir + "/" + $0 }
    }

    /// `zstd` from the system (tools/test installs it).
    static func zstd(_ arguments: [String]) throws -> CommandRunner.Result {
        try CommandRunner.run("zstd", arguments)
    }
}

func eventID(_ line: String) -> String {
    let start = line.range(of: "\"eventID\":\"")!.upperBound
    return String(line[start...].prefix { $0 != "\"" })
}
