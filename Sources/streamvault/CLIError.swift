/// An error a command ends with: a bounded ``Code`` for matching, and a message printed as is (exit status 1).
///
/// The message says what happened and what to do next; it never carries record payloads.
struct CLIError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Safe as a metric label.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case noArchive, catalogMissing, fileNotOpened, invalidInput, awsConfiguration, archiverStopped, commandFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `--storage` names no archive (no catalog.sqlite) and the command only reads.
        static let noArchive = Code(.noArchive)
        /// Segment files exist but the catalog that indexes them does not (run `streamvault catalog rebuild`).
        static let catalogMissing = Code(.catalogMissing)
        /// An input or output file named on the command line could not be opened or created.
        static let fileNotOpened = Code(.fileNotOpened)
        /// Input records are malformed.
        static let invalidInput = Code(.invalidInput)
        /// AWS credentials, region or endpoint could not be resolved.
        static let awsConfiguration = Code(.awsConfiguration)
        /// The archiver stopped on an error a retry cannot fix.
        static let archiverStopped = Code(.archiverStopped)
        /// Any other failure of a command.
        static let commandFailed = Code(.commandFailed)

        /// The code's name, e.g. `noArchive`.
        var description: String { base.rawValue }
    }

    /// The bounded category.
    let code: Code
    /// What happened and what to do next.
    let message: String

    init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// A failure without a more precise code (kept so commands written before the codes still compile).
    init(_ message: String) {
        self.init(code: .commandFailed, message: message)
    }

    /// The message alone: ArgumentParser prints it after `Error: `, as before the codes existed.
    var description: String { message }

    static func noArchive(root: String) -> CLIError {
        CLIError(
            code: .noArchive,
            message: "No archive at '\(root)' (no catalog.sqlite). Pass --storage DIR or set STREAMVAULT_STORAGE, or ingest something first."
        )
    }

    static func catalogMissing(root: String, stream: String) -> CLIError {
        CLIError(
            code: .catalogMissing,
            message: "The archive at '\(root)' has segment files (stream '\(stream)') but no catalog.sqlite, so nothing could find them. "
                + "Run `streamvault catalog rebuild --storage \(root)` to rebuild the catalog from the segment files, "
                + "or restore catalog.sqlite from a backup (docs/OPERATIONS.md)."
        )
    }
}
