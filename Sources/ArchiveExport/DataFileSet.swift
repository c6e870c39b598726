import Foundation
import Replay

/// The data files of an export being written: one shard per file, a new file when the shard changes or the
/// current file reached its record limit; per-file and per-shard counts and first/last sequence numbers.
final class DataFileSet {
    /// How a record becomes a line.
    enum LineShape {
        /// The pipeline's output bytes as they are.
        case record
        /// DynamoDB's incremental-export line (from kds-shaped records).
        case dynamodbIncremental
    }

    private let directory: String
    /// The data directory relative to the export root (`data`, `AWSDynamoDB/<id>/data`).
    private let relativeDirectory: String
    private let compression: ExportCompression
    private let maxFileRecords: Int
    private let shape: LineShape
    private let nameForFile: (Int) -> String
    private var current: CompressingFileWriter?
    private var currentShard: String?
    private var currentRecords = 0
    private var currentRawBytes = 0
    private(set) var files: [ExportManifest.File] = []
    /// MD5 and size per file, for DynamoDB's manifest-files.json.
    private(set) var written: [WrittenFile] = []
    private(set) var rawBytes = 0
    private(set) var shards: [ShardTally] = []
    private var shardIndex: [String: Int] = [:]
    private(set) var records = 0
    private var line: [UInt8] = []

    final class ShardTally {
        let shard: String
        var records = 0
        var first = ""
        var last: [UInt8] = []
        init(shard: String) { self.shard = shard }
    }

    init(
        directory: String,
        relativeDirectory: String,
        compression: ExportCompression,
        maxFileRecords: Int,
        shape: LineShape,
        nameForFile: @escaping (Int) -> String
    ) {
        self.directory = directory
        self.relativeDirectory = relativeDirectory
        self.compression = compression
        self.maxFileRecords = max(1, maxFileRecords)
        self.shape = shape
        self.nameForFile = nameForFile
    }

    /// Writes one record as one line.
    func append(_ record: ReplayRecord) throws {
        if currentShard != record.shardID || currentRecords >= maxFileRecords { try startFile(shard: record.shardID) }
        guard let writer = current else { return }
        switch shape {
        case .record:
            try writer.write(record.bytes)
            currentRawBytes += record.bytes.count + 1
        case .dynamodbIncremental:
            line.removeAll(keepingCapacity: true)
            try IncrementalExportLine.write(kds: record.bytes, shard: record.shardID, into: &line)
            try line.withUnsafeBufferPointer { try writer.write($0) }
            currentRawBytes += line.count + 1
        }
        try writer.write(byte: 0x0A)
        currentRecords += 1
        records += 1
        tally(record)
    }

    /// Ends the last file.
    func finish() throws {
        try endFile()
    }

    private func tally(_ record: ReplayRecord) {
        let index: Int
        if let known = shardIndex[record.shardID] {
            index = known
        } else {
            index = shards.count
            shards.append(ShardTally(shard: record.shardID))
            shardIndex[record.shardID] = index
        }
        let tally = shards[index]
        tally.records += 1
        guard let facts = record.locate() else { return }
        tally.last.removeAll(keepingCapacity: true)
        tally.last.append(contentsOf: facts.sequenceNumber)
        if tally.records == 1 { tally.first = String(decoding: facts.sequenceNumber, as: UTF8.self) }
    }

    private func startFile(shard: String) throws {
        try endFile()
        let name = nameForFile(files.count + 1)
        current = try CompressingFileWriter(directory: directory, name: name, compression: compression)
        currentShard = shard
        currentRecords = 0
        currentRawBytes = 0
    }

    private func endFile() throws {
        guard let writer = current else { return }
        current = nil
        let file = try writer.finish()
        written.append(file)
        rawBytes += currentRawBytes
        files.append(
            ExportManifest.File(
                name: relativeDirectory + "/" + file.name,
                shard: currentShard,
                records: currentRecords,
                size: file.size,
                sha256: file.sha256
            )
        )
    }
}
