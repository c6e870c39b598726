public import ArchiveStore
import Foundation
import Replay
import StreamModel

/// `streamvault snapshot`: rebuilds a table's items as of a moment from the archived images (the last
/// NewImage per key at or before it; a REMOVE deletes) and writes them as DynamoDB JSON `{"Item":{...}}` lines,
/// with manifest.json and SHA256SUMS (``ExportVerifier`` checks it like an export).
///
/// Refuses (``ExportError/Code/incomplete``) where the archive cannot prove the result complete
/// (``SnapshotCompleteness``), unless ``SnapshotRequest/allowGaps``. Items are kept in a temporary SQLite
/// table while the changes are applied, so memory does not grow with the table.
public struct SnapshotWriter {
    /// Progress: changes applied so far, then items written.
    public struct Progress: Sendable {
        public var changes: Int
        public var items: Int
    }

    let catalog: Catalog
    let layout: StorageLayout
    let request: SnapshotRequest
    let progress: ((Progress) -> Void)?
    let now: () -> Int64

    /// - Parameters:
    ///   - catalog: the archive's catalog.
    ///   - layout: where the archive's files are.
    ///   - request: the stream, the moment, the layout.
    ///   - progress: called every 100,000 changes or items.
    ///   - now: the clock for `createdAt` and export ids, epoch ms (default: the system clock).
    public init(
        catalog: Catalog,
        layout: StorageLayout,
        request: SnapshotRequest,
        progress: ((Progress) -> Void)? = nil,
        now: (@Sendable () -> Int64)? = nil
    ) {
        self.catalog = catalog
        self.layout = layout
        self.request = request
        self.progress = progress
        self.now = now ?? { WallClock.system.nowMillis() }
    }

    /// Writes the snapshot into `out` (missing or empty), atomically.
    /// - Returns: the manifest written (`recordCount` is the number of items).
    /// - Throws: ``ExportError`` (``ExportError/Code/incomplete`` with every reason, output not empty, I/O),
    ///   ``ReplayError`` (damage in the archive: nothing is written), ``ArchiveError`` (unknown stream).
    @discardableResult
    public func run(out: String) throws -> ExportManifest {
        guard request.compression != .none else {
            throw ExportError(code: .invalidRequest, message: "Snapshots are compressed: pass gzip or zstd.")
        }
        guard ReplaySelection.supportedTimes.contains(request.at) && request.at < ReplaySelection.supportedTimes.upperBound else {
            throw ExportError(code: .invalidRequest, message: "The snapshot time \(request.at) ms is outside the supported times.")
        }
        let stream = try catalog.requireStream(request.stream)
        let at = ISO8601.format(millis: request.at)
        var reasons = try SnapshotCompleteness.reasons(catalog: catalog, layout: layout, stream: stream, at: request.at)
        if !reasons.isEmpty && !request.allowGaps {
            throw Self.refusal(stream: stream.name, at: at, reasons: reasons)
        }
        let started = now()
        let staging = try StagingDirectory(target: out)
        let spill = try KeyedSpill(path: staging.path + "/.items.sqlite")
        defer { spill.close() }

        // 1. Apply every change up to the moment, in shard order (parents first: per key, the archive's order).
        let pipeline = try ReplayPipeline(
            catalog: catalog,
            layout: layout,
            selection: ReplaySelection(stream: stream.name, to: request.at + 1),
            format: .kds
        )
        var sink = ChangeSink(spill: spill, allowGaps: request.allowGaps, progress: progress)
        try pipeline.run(into: &sink)
        try spill.flush()
        if sink.withoutNewImage > 0 {
            reasons.append(
                "\(sink.withoutNewImage) changes carried no NewImage (their items were left out; the records' view type keeps no new images)"
            )
        }

        // 2. Write the items in key order.
        let dynamoDB: DynamoDBExportManifests?
        let dataDirectory: String
        switch request.layout {
        case .streamvault:
            dynamoDB = nil
            dataDirectory = "data"
        case .dynamodbExport:
            let manifests = DynamoDBExportManifests(
                exportID: DynamoDBExportManifests.newExportID(now: started),
                tableARN: DynamoDBExportManifests.tableARN(streamARN: stream.arn),
                kind: .full(exportTime: request.at),
                startTime: started,
                endTime: now()
            )
            dynamoDB = manifests
            dataDirectory = manifests.prefix + "/data"
        }
        let directory = try staging.makeSubdirectory(dataDirectory)
        let suffix = ".json" + request.compression.fileExtension
        var written: [WrittenFile] = []
        var counts: [Int] = []
        var current: CompressingFileWriter?
        var inFile = 0
        var items = 0
        var rawBytes = 0
        func nextName() -> String {
            let index = DynamoDBExportManifests.padded(written.count + 1, 5)
            return dynamoDB.map { "\(index)-\($0.exportID)\(suffix)" } ?? "items-\(index)\(suffix)"
        }
        try spill.forEachValue { image in
            if current == nil || inFile >= request.maxFileItems {
                if let writer = current {
                    written.append(try writer.finish())
                    counts.append(inFile)
                }
                current = try CompressingFileWriter(directory: directory, name: nextName(), compression: request.compression)
                inFile = 0
            }
            guard let writer = current else { return }
            try writer.write("{\"Item\":")
            try image.withUnsafeBytes { try writer.write($0.bindMemory(to: UInt8.self)) }
            try writer.write("}\n")
            inFile += 1
            items += 1
            rawBytes += image.count + 10
            if items % 100_000 == 0 { progress?(Progress(changes: sink.changes, items: items)) }
        }
        if let writer = current {
            written.append(try writer.finish())
            counts.append(inFile)
        } else if dynamoDB != nil {
            // An empty table still gets one (empty) data file, as DynamoDB writes for an empty partition.
            let writer = try CompressingFileWriter(directory: directory, name: nextName(), compression: request.compression)
            written.append(try writer.finish())
            counts.append(0)
        }
        spill.close()

        // 3. Manifests and digests.
        var extra: [WrittenFile] = []
        if let dynamoDB {
            extra = try dynamoDB.write(staging: staging, dataFiles: written, itemCounts: counts, dataDirectory: dataDirectory, billedBytes: rawBytes)
        }
        let files = zip(written, counts).map { file, count in
            ExportManifest.File(name: dataDirectory + "/" + file.name, shard: nil, records: count, size: file.size, sha256: file.sha256)
        }
        let manifest = ExportManifest(
            toolVersion: request.toolVersion,
            createdAt: ISO8601.format(millis: started),
            stream: ExportManifest.Stream(
                name: stream.name,
                arn: stream.arn,
                region: stream.region,
                tableName: stream.tableName,
                viewType: stream.viewType
            ),
            range: ExportManifest.TimeRange(from: nil, to: at),
            filters: [],
            format: "dynamodb-item",
            layout: request.layout.rawValue,
            compression: request.compression.rawValue,
            recordCount: items,
            files: files,
            shards: [],
            gaps: [],
            extraFiles: extra.map { ExportManifest.File(name: $0.name, shard: nil, records: 0, size: $0.size, sha256: $0.sha256) },
            auditChainHead: request.auditHead,
            snapshotAt: at,
            incompleteBecause: reasons
        )
        let manifestFile = try DynamoDBExportManifests.writeFile(
            directory: staging.path,
            name: ExportManifest.fileName,
            text: String(decoding: try manifest.encoded(), as: UTF8.self)
        )
        let sums =
            files.map { (name: $0.name, sha256: $0.sha256) } + manifest.extraFiles.map { (name: $0.name, sha256: $0.sha256) }
            + [(name: ExportManifest.fileName, sha256: manifestFile.sha256)]
        _ = try DynamoDBExportManifests.writeFile(directory: staging.path, name: SHA256Sums.fileName, text: SHA256Sums.text(sums))
        try staging.commit()
        return manifest
    }

    static func refusal(stream: String, at: String, reasons: [String]) -> ExportError {
        ExportError(
            code: .incomplete,
            message: "The archive cannot prove a snapshot of '\(stream)' at \(at) complete: "
                + reasons.joined(separator: "; ")
                + ". Pass --allow-gaps to write it anyway (the reasons are recorded in manifest.json)."
        )
    }

    /// Applies kds-shaped changes to the spill table.
    private struct ChangeSink: ReplaySink {
        let spill: KeyedSpill
        let allowGaps: Bool
        let progress: ((Progress) -> Void)?
        var key: [UInt8] = []
        var changes = 0
        var withoutNewImage = 0

        mutating func deliver(_ record: ReplayRecord) throws -> Bool {
            guard let change = ChangeImages.scan(record.bytes), let keys = change.keys,
                ItemKey.canonical(record.bytes, keys, into: &key)
            else {
                throw ExportError(
                    code: .invalidRecord,
                    message: "An archived record of shard '\(record.shardID)' has no dynamodb.Keys object: the item it changed is unknown. "
                        + "Run `streamvault verify`."
                )
            }
            changes += 1
            if changes % 100_000 == 0 { progress?(Progress(changes: changes, items: 0)) }
            let image: UnsafeBufferPointer<UInt8>?
            if change.eventName == .remove {
                image = nil
            } else if let newImage = change.newImage {
                image = UnsafeBufferPointer(rebasing: record.bytes[newImage])
            } else {
                guard allowGaps else {
                    let sequence = record.locate().map { String(decoding: $0.sequenceNumber, as: UTF8.self) } ?? "?"
                    throw ExportError(
                        code: .incomplete,
                        message: "The archived \(change.eventName?.rawValue ?? "change") at sequence number \(sequence) of shard '\(record.shardID)' "
                            + "carries no NewImage (view type KEYS_ONLY or OLD_IMAGE), so the item cannot be rebuilt. "
                            + "Pass --allow-gaps to leave such items out."
                    )
                }
                withoutNewImage += 1
                image = nil
            }
            let spill = self.spill
            try key.withUnsafeBufferPointer { try spill.set(key: $0, value: image) }
            return true
        }
    }
}
