import Foundation
import StreamModel
import Testing

/// The one record input reader: layouts, chunk boundaries, the maximum record size, errors with lines.
struct RecordInputReaderTests {
    static let record = ConversionInputTests.record

    /// Feeds `text` through a pipe-less temp file with a small chunk; returns records (as text) and lines.
    func read(
        _ text: String,
        layout: RecordInputReader.Layout,
        chunk: Int = 64,
        max: Int = RecordInputReader.defaultMaxRecordBytes
    ) throws -> [(String, RecordLocation)] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        var out: [(String, RecordLocation)] = []
        try RecordInputReader(fileDescriptor: handle.fileDescriptor, chunkSize: chunk, layout: layout, maxRecordBytes: max).forEachRecord {
            out.append((String(decoding: $0, as: UTF8.self), $1))
        }
        return out
    }

    @Test(arguments: [1, 7, 64, 4096])
    func everyChunkSizeFindsTheSameRecords(_ chunk: Int) throws {
        let pretty = "{\n  \"Records\" : [\n    \(Self.record),\n    \(Self.record)\n  ]\n}\n[\(Self.record)]\n\(Self.record)\n"
        let found = try read(pretty, layout: .auto, chunk: chunk)
        #expect(found.map(\.0) == Array(repeating: Self.record, count: 4))
        #expect(found.map(\.1.line) == [3, 4, 7, 8])
        #expect(found.map(\.1.container) == [.records, .records, .array, .stream])
    }

    /// NDJSON is read line by line: a broken line does not swallow the next ones.
    @Test(arguments: [RecordInputReader.Layout.auto, .lines])
    func linesLayoutKeepsABrokenLineToItself(_ layout: RecordInputReader.Layout) throws {
        let found = try read("\(Self.record)\r\n{not json\n\n  \n\(Self.record)", layout: layout, chunk: 16)
        #expect(found.map(\.0) == [Self.record + "\r", "{not json", Self.record])
        #expect(found.map(\.1.line) == [1, 2, 5])
    }

    @Test(arguments: [RecordInputReader.Layout.lines, .values])
    func aRecordLongerThanTheLimitIsRefusedWithItsLine(_ layout: RecordInputReader.Layout) throws {
        let long = Self.record.replacingOccurrences(of: #""S":"x""#, with: #""S":""# + String(repeating: "x", count: 5000) + "\"")
        #expect(try read("\(Self.record)\n\(long)\n", layout: layout, max: 6000).count == 2, "under the limit")
        #expect {
            _ = try read("\(Self.record)\n\(Self.record)\n\(long)\n\(Self.record)\n", layout: layout, chunk: 256, max: 4096)
        } throws: { error in
            let e = error as? RecordInputError
            return e?.code == .recordTooLarge && e?.line == 3 && e?.reason.contains("4 KiB") == true
        }
    }

    @Test(arguments: [
        ("{\"Records\":[\(record),", 1, "input ends inside an array of records (truncated?)"),
        ("[\(record)\n\(record)]", 2, "expected ',' or ']' between records"),
    ])
    func brokenStructureNamesTheLine(_ text: String, _ line: Int, _ reason: String) throws {
        #expect {
            _ = try read(text, layout: .values)
        } throws: { error in
            let e = error as? RecordInputError
            return e?.code == .malformedInput && e?.reason == reason && e?.line == line
        }
    }
}
