import ArchiveStore
import Foundation
import GRDB
import StreamModel
import StreamVaultTesting

/// A throwaway archive on real files (real fsync), with helpers to append records and read them back.
final class TestArchive {
    let directory: TemporaryDirectory
    let layout: StorageLayout
    let catalog: Catalog

    init() throws {
        directory = try TemporaryDirectory("archive-store")
        layout = StorageLayout(root: directory.path + "/storage")
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        catalog = try Catalog(path: layout.catalogPath)
    }

    func writer(_ stream: String = "orders", configuration: WriterConfiguration = .init(), clock: WallClock = .system) throws -> StreamWriter {
        try StreamWriter(layout: layout, catalog: catalog, streamName: stream, configuration: configuration, clock: clock)
    }

    /// Appends native record lines to `shard` of `writer` (at `eventTime` instead of each record's own time, if
    /// given); returns the results.
    @discardableResult
    static func append(_ lines: [String], to writer: StreamWriter, shard: String, eventTime: Int64? = nil) throws -> [StreamWriter.AppendResult] {
        try lines.map { line in
            let bytes = Array(line.utf8)
            return try bytes.withUnsafeBufferPointer { buffer in
                var c = JSONCursor(UnsafeRawBufferPointer(buffer))
                let facts = try ChangeRecordScanner.scanNative(&c)
                return try writer.append(
                    buffer,
                    shard: shard,
                    sequence: facts.sequenceNumber,
                    eventID: facts.eventID,
                    eventTime: eventTime ?? facts.eventTimeMillis,
                    format: .native
                )
            }
        }
    }

    /// Every archived record of `stream`, in block order, as text.
    func records(_ stream: String = "orders") throws -> [String] {
        let info = try catalog.requireStream(stream)
        let reader = try BlockReader(layout: layout, catalog: catalog)
        var out: [String] = []
        for block in try catalog.blocks(streamID: info.id) {
            try reader.read(block)
            reader.forEachRecord { out.append(String(decoding: $0, as: UTF8.self)) }
        }
        return out
    }

    func segmentPaths(_ stream: String = "orders") throws -> [String] {
        let info = try catalog.requireStream(stream)
        return try catalog.segments(streamID: info.id).map { layout.segmentPath(stream: stream, fileName: $0.fileName) }
    }
}

extension TestClock {
    /// The writer's view of this clock: wall-clock milliseconds that move when the test calls `advance(by:)`.
    var wallClock: WallClock { WallClock { [self] in self.epochMillis } }
}
