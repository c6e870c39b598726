import ArchiveExport
import ArchiveStore
import Foundation
import Replay
import StreamModel
import StreamVaultTesting
import Testing

/// An archive of generated Orders records (one ingest per shard) and a scratch directory for exports.
struct ExportFixture {
    let directory: TemporaryDirectory
    let layout: StorageLayout
    let catalog: Catalog
    let shardIDs: [String]

    /// 2026-01-01T00:00:00Z, where the generated records start (one day of them).
    static let start: Int64 = 1_767_225_600_000

    init(records: Int = 900, shards: Int = 3) throws {
        directory = try TemporaryDirectory("export")
        layout = StorageLayout(root: directory.path + "/storage")
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        catalog = try Catalog(path: layout.catalogPath)
        let files = try SampleFiles.perShard(in: directory.path, records: records, shards: shards)
        var options = IngestOptions(stream: "orders")
        options.writer.blockBytes = 16 << 10
        for file in files {
            options.shard = file.shard
            _ = try Ingestor(layout: layout, catalog: catalog, options: options).ingest(paths: [file.path])
        }
        shardIDs = files.map(\.shard)
    }

    /// A path for an export that does not exist yet.
    func out(_ name: String = "out") -> String { directory.path + "/" + name }

    func export(_ request: ExportRequest, to out: String? = nil, filter: (any RecordFilter)? = nil) throws -> (String, ExportManifest) {
        let path = out ?? self.out("export-\(UInt32.random(in: 0...UInt32.max))")
        let manifest = try ArchiveExporter(catalog: catalog, layout: layout, request: request, filter: filter).run(out: path)
        return (path, manifest)
    }

    /// What a replay of the same selection delivers, as lines.
    func replay(from: Int64? = nil, to: Int64? = nil, format: RecordFormat? = nil, filter: (any RecordFilter)? = nil) throws -> [String] {
        var sink = LineSink()
        try ReplayPipeline(
            catalog: catalog,
            layout: layout,
            selection: ReplaySelection(stream: "orders", from: from, to: to),
            filter: filter,
            format: format
        ).run(into: &sink)
        return sink.lines
    }

    /// The lines of every data file named in the manifest, in order, decompressed with the system's tools.
    static func dataLines(_ directory: String, _ manifest: ExportManifest) throws -> [String] {
        var lines: [String] = []
        for file in manifest.files {
            let path = directory + "/" + file.name
            let text: String
            if file.name.hasSuffix(".zst") {
                text = try CommandRunner.run("zstd", ["-dc", path]).stdoutText
            } else if file.name.hasSuffix(".gz") {
                text = try CommandRunner.run("gzip", ["-dc", path]).stdoutText
            } else {
                text = try String(contentsOfFile: path, encoding: .utf8)
            }
            lines += text.split(separator: "\n").map(String.init)
        }
        return lines
    }
}

struct LineSink: ReplaySink {
    var lines: [String] = []
    mutating func deliver(_ record: ReplayRecord) throws -> Bool {
        lines.append(String(decoding: record.bytes, as: UTF8.self))
        return true
    }
}
