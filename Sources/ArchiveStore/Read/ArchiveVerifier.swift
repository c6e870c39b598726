import Foundation
import StreamModel
import SystemPackage

/// Checks the catalog itself (``CatalogChecks``), then that the files hold exactly what it says: every
/// block's header and zstd checksum, block counts and ranges, contiguous block layout, sealed segments'
/// SHA-256, and no unindexed files.
public struct ArchiveVerifier {
    /// One finding. `isDamage` findings make `streamvault verify` exit 1.
    public struct Finding: Sendable, CustomStringConvertible {
        public var stream: String
        public var segment: String
        public var blockOffset: Int64?
        public var message: String
        public var isDamage: Bool
        /// A file other than a segment that the finding is about (the audit log).
        public var file: String? = nil
        public var description: String {
            let kind = isDamage ? "DAMAGED" : "note"
            if let file { return "\(kind): \(file): \(message)" }
            // Findings about the catalog itself name no segment.
            guard !segment.isEmpty else { return "\(kind): catalog\(stream.isEmpty ? "" : " (stream \(stream))"): \(message)" }
            let at = blockOffset.map { " block@\($0)" } ?? ""
            return "\(kind): \(stream)/segments/\(segment)\(at): \(message)"
        }
    }

    /// What a run checked and found.
    public struct Report: Sendable {
        public var segments = 0
        public var blocks = 0
        public var records = 0
        public var storedBytes: Int64 = 0
        public var findings: [Finding] = []
        public var isClean: Bool { !findings.contains { $0.isDamage } }
    }

    public let layout: StorageLayout
    public let catalog: Catalog

    public init(layout: StorageLayout, catalog: Catalog) {
        self.layout = layout
        self.catalog = catalog
    }

    /// Verifies `streams` (all when empty); `progress` is called after each segment.
    public func verify(streams names: [String] = [], progress: (Report) -> Void = { _ in }) throws -> Report {
        var report = Report()
        // The catalog first: files are checked against its rows, which must be readable and consistent.
        guard try CatalogChecks.run(catalog, into: &report.findings) else { return report }
        let reader = try BlockReader(layout: layout, catalog: catalog)
        let audit = try AuditCheck(log: AuditLog(layout: layout), into: &report.findings)
        let streams = try names.isEmpty ? catalog.streams() : names.map { try catalog.requireStream($0) }
        for stream in streams {
            let shards = Dictionary(uniqueKeysWithValues: try catalog.shards(streamID: stream.id).map { ($0.rowID, $0.shardID) })
            let segments = try catalog.segments(streamID: stream.id)
            for segment in segments {
                try verify(segment: segment, stream: stream, shards: shards, reader: reader, audit: audit, into: &report)
                progress(report)
            }
            audit.checkEntries(stream: stream.name, segments: segments, into: &report.findings)
            let known = Set(segments.map(\.fileName))
            let directory = layout.segmentsDirectory(stream.name)
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            where name.hasSuffix(".ndjson.zst") && !known.contains(name) {
                report.findings.append(
                    Finding(
                        stream: stream.name,
                        segment: name,
                        message: "file is not in the catalog (not archived data as far as StreamVault knows)",
                        isDamage: true
                    )
                )
            }
        }
        return report
    }

    private func verify(
        segment: SegmentInfo,
        stream: StreamInfo,
        shards: [Int64: String],
        reader: BlockReader,
        audit: AuditCheck,
        into report: inout Report
    ) throws {
        report.segments += 1
        func finding(_ message: String, block: Int64? = nil, damage: Bool = true) {
            report.findings.append(Finding(stream: stream.name, segment: segment.fileName, blockOffset: block, message: message, isDamage: damage))
        }
        let path = layout.segmentPath(stream: stream.name, fileName: segment.fileName)
        guard FileIO.exists(path) else {
            if segment.state == .sealed, try catalog.remoteState(segmentID: segment.id)?.state != nil {
                // Evicted, or known from `catalog sync` only: the remote check (RemoteVerifier) covers its bytes.
                report.blocks += Int(segment.blockCount)
                report.records += Int(segment.recordCount)
                finding("only in the bucket (evicted or synced); its copy there is checked against the sealed SHA-256", damage: false)
                return
            }
            finding("file is missing; the catalog lists \(segment.blockCount) blocks in it", damage: segment.blockCount > 0)
            return
        }
        let file = try FileIO.open(path, .readOnly)
        defer { file.close() }
        let size = try file.size()
        report.storedBytes += Int64(size)
        if size < segment.committedBytes {
            finding("file is \(size) bytes, the catalog has committed \(segment.committedBytes)")
        } else if size > segment.committedBytes {
            finding(
                "\(Int64(size) - segment.committedBytes) bytes after the last committed block (an interrupted write; cut off when the stream is next written)",
                damage: segment.state == .sealed
            )
        }
        var head: [UInt8] = []
        try file.read(count: min(size, 4096), at: 0, into: &head)
        var expectedOffset: Int64 = 0
        head.withUnsafeBytes { bytes in
            if let frame = SkippableFrame.parse(bytes), frame.magic == SkippableFrame.segmentMagic {
                expectedOffset = Int64(frame.payload.upperBound)
            } else {
                finding("does not start with a StreamVault segment header frame")
            }
        }
        for block in try catalog.blocks(segmentID: segment.id) {
            report.blocks += 1
            if block.offset != expectedOffset {
                finding("block starts at \(block.offset), expected \(expectedOffset) (blocks must be contiguous)", block: block.offset)
            }
            expectedOffset = block.offset + block.length
            guard block.offset + block.length <= Int64(size) else {
                finding("block ends past the end of the file", block: block.offset)
                continue
            }
            let header: BlockHeader
            do { header = try reader.read(block) } catch {
                finding("\(error)", block: block.offset)
                continue
            }
            var lines = 0
            reader.forEachRecord { _ in lines += 1 }
            report.records += lines
            var mismatches: [String] = []
            if header.shard != shards[block.shardRowID] { mismatches.append("shard \(header.shard) vs catalog \(shards[block.shardRowID] ?? "?")") }
            if header.count != Int(block.recordCount) || lines != header.count {
                mismatches.append("\(lines) records, header \(header.count), catalog \(block.recordCount)")
            }
            if header.rawBytes != Int(block.rawBytes) || reader.records.count != header.rawBytes { mismatches.append("raw size differs") }
            if SequenceNumberText.differ(header.firstSeq, block.firstSeq.text) { mismatches.append("first sequence number differs") }
            if SequenceNumberText.differ(header.lastSeq, block.lastSeq.text) { mismatches.append("last sequence number differs") }
            if header.minTime != block.minTime || header.maxTime != block.maxTime { mismatches.append("time range differs") }
            if !mismatches.isEmpty { finding("header and catalog disagree: " + mismatches.joined(separator: "; "), block: block.offset) }
        }
        if expectedOffset != segment.committedBytes && expectedOffset != 0 {
            finding("committed blocks end at \(expectedOffset), the catalog's committed length is \(segment.committedBytes)")
        }
        if segment.state == .sealed, let expected = segment.sha256 {
            let actual = try file.sha256(length: size)
            if actual != expected { finding("SHA-256 is \(actual), sealed as \(expected)") }
            if let problem = audit.checkSealed(stream: stream.name, segment: segment, fileSHA256: actual) { finding(problem) }
        } else if segment.state == .open, let note = audit.noteForOpen(stream: stream.name, segment: segment) {
            finding(note, damage: false)
        }
    }
}

/// Sequence numbers compared numerically from their text.
enum SequenceNumberText {
    static func differ(_ a: String, _ b: String) -> Bool {
        StreamModel.SequenceNumber.compareDigits(a.utf8, b.utf8) != 0
    }
}
