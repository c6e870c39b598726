/// One thing verify-export found wrong with an export: which file, and what differs.
public struct ExportProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file concerned, relative to the export directory (`SHA256SUMS`, `manifest.json`, `data/part-00001.ndjson.zst`).
    public var file: String
    /// What differs from what the manifest or SHA256SUMS says.
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// What verify-export checked and found.
public struct ExportVerification: Sendable {
    /// Every problem, in the order found (SHA256SUMS, the manifest, then each data file).
    public var problems: [ExportProblem] = []
    /// Files whose digest was checked.
    public var filesChecked = 0
    /// Records read from the data files.
    public var recordsChecked = 0
    /// Whether nothing is wrong.
    public var isIntact: Bool { problems.isEmpty }
}
