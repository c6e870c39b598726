import ArchiveStore
import ArgumentParser
import Foundation
import Logging

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The archive's directory (default: $STREAMVAULT_STORAGE, else ./storage).", valueName: "dir")
    )
    var storage: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "notice"

    var storageDirectory: String {
        storage ?? ProcessInfo.processInfo.environment["STREAMVAULT_STORAGE"] ?? "./storage"
    }

    var layout: StorageLayout { StorageLayout(root: storageDirectory) }

    func validateLogLevel() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical (got '\(logLevel)').")
        }
    }

    /// A logger on stderr at `--log-level`.
    func makeLogger(_ label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        return logger
    }

    /// Opens the catalog; creating the storage directory only when `create` is set.
    func openCatalog(create: Bool) throws -> Catalog {
        let layout = self.layout
        if !create && !FileManager.default.fileExists(atPath: layout.catalogPath) {
            throw CLIError(
                "No archive at '\(layout.root)' (no catalog.sqlite). Pass --storage DIR or set STREAMVAULT_STORAGE, or ingest something first."
            )
        }
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        return try Catalog(path: layout.catalogPath)
    }
}

/// An error from a command, printed as is.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Human-friendly numbers for summaries.
enum Format {
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func ratio(raw: Int64, stored: Int64) -> String {
        stored > 0 ? String(format: "%.1fx", Double(raw) / Double(stored)) : "-"
    }
}

/// Writes to stderr.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Whether stderr is a terminal (progress lines only then).
var stderrIsTerminal: Bool { isatty(2) != 0 }
