import Foundation

/// The outcome of the latest `streamvault verify`, kept beside the catalog so the status page can show it
/// without verifying again (a full verify reads every block).
public struct VerifyRecord: Codable, Sendable, Equatable {
    /// When the verify finished, epoch milliseconds.
    public var finishedAt: Int64
    /// The streams it covered; empty means all.
    public var streams: [String]
    public var segments: Int
    public var blocks: Int
    public var records: Int
    /// Problems found (damage only; notes are not counted).
    public var problems: Int
    /// The first problem, as verify printed it.
    public var firstProblem: String?

    public init(finishedAt: Int64, streams: [String], report: ArchiveVerifier.Report) {
        self.finishedAt = finishedAt
        self.streams = streams
        self.segments = report.segments
        self.blocks = report.blocks
        self.records = report.records
        let damage = report.findings.filter(\.isDamage)
        self.problems = damage.count
        self.firstProblem = damage.first?.description
    }

    /// The record `verify` left in `layout`, or `nil` if there is none or it cannot be read.
    public static func load(from layout: StorageLayout) -> VerifyRecord? {
        guard let data = FileManager.default.contents(atPath: layout.verifyRecordPath) else { return nil }
        return try? JSONDecoder().decode(VerifyRecord.self, from: data)
    }

    /// Writes the record atomically (temp, fsync, rename), replacing the previous one.
    public func save(to layout: StorageLayout) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileIO.writeAtomically(Array(try encoder.encode(self)), to: layout.verifyRecordPath)
    }
}
