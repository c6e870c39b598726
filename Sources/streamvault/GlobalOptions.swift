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

    /// Opens the catalog. Writers (`create`, or `write` for an existing catalog) may create the storage
    /// directory and catalog and run migrations; readers open an existing catalog read-only, create no file
    /// and take no lock, so a read-only archive (a backup, a snapshot mount) can be read.
    func openCatalog(create: Bool, write: Bool = false) throws -> Catalog {
        let layout = self.layout
        if !FileManager.default.fileExists(atPath: layout.catalogPath) {
            if let stream = layout.streamsWithSegmentFiles().first {
                throw CLIError.catalogMissing(root: layout.root, stream: stream)
            }
            if !create {
                throw CLIError.noArchive(root: layout.root)
            }
        }
        guard create || write else { return try Catalog(path: layout.catalogPath, access: .readOnly) }
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        return try Catalog(path: layout.catalogPath)
    }
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
