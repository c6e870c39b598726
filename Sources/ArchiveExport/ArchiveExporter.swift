public import ArchiveStore
import Foundation
public import Replay
import StreamModel

/// Writes an export: a stream's records in an event-time range as NDJSON data files (zstd by default),
/// `manifest.json` (``ExportManifest``) and `SHA256SUMS`, crash-safely (staging directory -> fsync -> rename).
///
/// ```swift
/// let exporter = ArchiveExporter(catalog: catalog, layout: layout,
///                                request: ExportRequest(stream: "orders", from: t0, to: t1))
/// let manifest = try exporter.run(out: "/exports/orders-2026-01")
/// ```
///
/// Records come from a ``ReplayPipeline`` in shard order (parents first), through the event-name filter and
/// any extra ``RecordFilter`` (key or TTL selection), converted to the requested shape.
public struct ArchiveExporter {
    /// Progress of a running export, reported every ``progressInterval`` records and at the end.
    public struct Progress: Sendable {
        public var records: Int
        public var files: Int
        public var finished: Bool
    }

    /// Records between two progress reports.
    public static let progressInterval = 100_000

    let catalog: Catalog
    let layout: StorageLayout
    let request: ExportRequest
    let filter: (any RecordFilter)?
    let filterDescriptions: [String]
    let progress: ((Progress) -> Void)?
    let now: () -> Int64

    /// - Parameters:
    ///   - catalog: the archive's catalog.
    ///   - layout: where the archive's files are.
    ///   - request: what to export.
    ///   - filter: an extra selection applied after the event-name filter (the lead wires `--key`/TTL selection here).
    ///   - filterDescriptions: how `filter` is named in the manifest's `filters`.
    ///   - progress: called on the exporting thread every ``progressInterval`` records and at the end.
    ///   - now: the clock for `createdAt` and export ids, epoch ms (default: the system clock).
    public init(
        catalog: Catalog,
        layout: StorageLayout,
        request: ExportRequest,
        filter: (any RecordFilter)? = nil,
        filterDescriptions: [String] = [],
        progress: ((Progress) -> Void)? = nil,
        now: (@Sendable () -> Int64)? = nil
    ) {
        self.catalog = catalog
        self.layout = layout
        self.request = request
        self.filter = filter
        self.filterDescriptions = filterDescriptions
        self.progress = progress
        self.now = now ?? { WallClock.system.nowMillis() }
    }

    /// Writes the export into `out` (missing or empty), atomically.
    /// - Returns: the manifest written.
    /// - Throws: ``ExportError`` (output not empty, I/O, a record the layout cannot carry), ``ReplayError``
    ///   (a bad range, damage in the archive: nothing is left under `out` then), ``ArchiveError`` (unknown stream).
    @discardableResult
    public func run(out: String) throws -> ExportManifest {
        guard request.maxFileRecords >= 1 else {
            throw ExportError(code: .invalidRequest, message: "maxFileRecords is \(request.maxFileRecords): pass 1 or more.")
        }
        let stream = try catalog.requireStream(request.stream)
        let started = now()
        let staging = try StagingDirectory(target: out)
        let compression = request.effectiveCompression
        let dynamoDB: DynamoDBExportManifests?
        let dataDirectory: String
        let nameForFile: (Int) -> String
        switch request.layout {
        case .streamvault:
            dynamoDB = nil
            dataDirectory = "data"
            let suffix = ".ndjson" + compression.fileExtension
            nameForFile = { "part-" + DynamoDBExportManifests.padded($0, 5) + suffix }
        case .dynamodbIncremental:
            let manifests = DynamoDBExportManifests(
                exportID: DynamoDBExportManifests.newExportID(now: started),
                tableARN: DynamoDBExportManifests.tableARN(streamARN: stream.arn),
                kind: .incremental(
                    from: request.from ?? 0,
                    to: request.to ?? started,
                    view: stream.viewType == "NEW_AND_OLD_IMAGES" || stream.viewType == nil ? "NEW_AND_OLD_IMAGES" : "NEW_IMAGE"
                ),
                startTime: started,
                endTime: started
            )
            dynamoDB = manifests
            dataDirectory = manifests.prefix + "/data"
            let exportID = manifests.exportID
            nameForFile = { DynamoDBExportManifests.padded($0, 5) + "-" + exportID + ".json.gz" }
        }
        let files = DataFileSet(
            directory: try staging.makeSubdirectory(dataDirectory),
            relativeDirectory: dataDirectory,
            compression: compression,
            maxFileRecords: request.maxFileRecords,
            shape: request.layout == .dynamodbIncremental ? .dynamodbIncremental : .record,
            nameForFile: nameForFile
        )
        var filters: [any RecordFilter] = []
        if !request.eventNames.isEmpty { filters.append(EventNameFilter(request.eventNames)) }
        if let filter { filters.append(filter) }
        var conversion: ConversionOptions?
        if request.layout == .dynamodbIncremental && stream.source != .kinesis {
            // kds in microseconds keeps every digit of a native record's time (seconds with a fraction) for
            // WriteTimestampMicros. Not for Kinesis-sourced archives: for a kds payload the option would name the
            // unit of times that do not state theirs (docs/CONVERSION.md); those keep their own unit.
            var options = ConversionOptions()
            options.tableName = stream.tableName ?? stream.name
            options.region = stream.region
            options.streamARN = stream.arn
            options.timePrecision = .microsecond
            conversion = options
        }
        let pipeline = try ReplayPipeline(
            catalog: catalog,
            layout: layout,
            selection: ReplaySelection(stream: request.stream, from: request.from, to: request.to),
            filter: filters.isEmpty ? nil : FilterChain(filters),
            format: request.layout == .dynamodbIncremental ? .kds : request.format,
            conversion: conversion
        )
        var sink = Sink(files: files, progress: progress)
        try pipeline.run(into: &sink)
        try files.finish()
        progress?(Progress(records: files.records, files: files.files.count, finished: true))

        var extra: [WrittenFile] = []
        if let dynamoDB {
            extra = try dynamoDB.write(
                staging: staging,
                dataFiles: files.written,
                itemCounts: files.files.map(\.records),
                dataDirectory: dataDirectory,
                billedBytes: files.rawBytes
            )
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
            range: ExportManifest.TimeRange(from: request.from.map { ISO8601.format(millis: $0) }, to: request.to.map { ISO8601.format(millis: $0) }),
            filters: (request.eventNames.isEmpty ? [] : ["eventName in " + request.eventNames.map(\.rawValue).joined(separator: ",")])
                + filterDescriptions,
            format: request.layout == .dynamodbIncremental ? "dynamodb-incremental" : request.format.rawValue,
            layout: request.layout.rawValue,
            compression: compression.rawValue,
            recordCount: files.records,
            files: files.files,
            shards: files.shards.map {
                ExportManifest.Shard(
                    shard: $0.shard,
                    records: $0.records,
                    firstSequenceNumber: $0.first,
                    lastSequenceNumber: String(decoding: $0.last, as: UTF8.self)
                )
            },
            gaps: try gapsInRange(stream: stream),
            extraFiles: extra.map { ExportManifest.File(name: $0.name, shard: nil, records: 0, size: $0.size, sha256: $0.sha256) },
            auditChainHead: request.auditHead
        )
        let manifestFile = try DynamoDBExportManifests.writeFile(
            directory: staging.path,
            name: ExportManifest.fileName,
            text: String(decoding: try manifest.encoded(), as: UTF8.self)
        )
        let sums =
            files.files.map { (name: $0.name, sha256: $0.sha256) } + manifest.extraFiles.map { (name: $0.name, sha256: $0.sha256) }
            + [(name: ExportManifest.fileName, sha256: manifestFile.sha256)]
        _ = try DynamoDBExportManifests.writeFile(directory: staging.path, name: SHA256Sums.fileName, text: SHA256Sums.text(sums))
        try staging.commit()
        return manifest
    }

    /// The catalog's gaps whose missing records may have event times inside the range (``GapPlacement``).
    private func gapsInRange(stream: StreamInfo) throws -> [ExportManifest.Gap] {
        try catalog.gaps(streamID: stream.id).filter { gap in
            try GapPlacement.locate(catalog: catalog, layout: layout, stream: stream.name, gap: gap).overlaps(from: request.from, to: request.to)
        }.map { gap in
            ExportManifest.Gap(
                shard: gap.shardID,
                afterSequenceNumber: gap.afterSequence?.text,
                detectedAt: ISO8601.format(millis: gap.detectedAt),
                reason: gap.reason
            )
        }
    }

    /// Hands records to the data files, reporting progress.
    private struct Sink: ReplaySink {
        let files: DataFileSet
        let progress: ((Progress) -> Void)?

        mutating func deliver(_ record: ReplayRecord) throws -> Bool {
            try files.append(record)
            if let progress, files.records % ArchiveExporter.progressInterval == 0 {
                progress(Progress(records: files.records, files: files.files.count + 1, finished: false))
            }
            return true
        }
    }
}
