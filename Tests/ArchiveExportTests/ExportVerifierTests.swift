import ArchiveExport
import Foundation
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ExportVerifierTests {
    /// Every kind of change an export can suffer after it was written.
    enum Change: String, CaseIterable, CustomTestStringConvertible {
        case byteFlippedInDataFile, dataFileRemoved, fileAdded, lineRemovedFromDataFile, lineRemovedFromPlainFile
        case manifestEdited, sha256sumsEdited, sha256sumsLineRemoved, lineReordered, dataFileTruncated, plainFileCutMidLine
        var testDescription: String { rawValue }
    }

    /// An export of 3 shards, 2 files each (zstd, or plain NDJSON).
    static func makeExport(compressed: Bool = true) throws -> (ExportFixture, String, ExportManifest) {
        let f = try ExportFixture(records: 600, shards: 3)
        let (dir, manifest) = try f.export(ExportRequest(stream: "orders", compression: compressed ? .zstd : .none, maxFileRecords: 120))
        return (f, dir, manifest)
    }

    static func zstdLines(_ path: String) throws -> [Substring] {
        let result = try CommandRunner.run("zstd", ["-dc", path])
        let lines = result.stdoutText.split(separator: "\n")
        try #require(lines.count > 10, "zstd -dc \(path): status \(result.status), \(result.stderr)")
        return lines
    }

    @Test func anUntouchedExportPassesBothCheckers() throws {
        let (fixture, dir, manifest) = try Self.makeExport()
        defer { withExtendedLifetime(fixture) {} }  // the fixture owns the temporary directory
        #expect(manifest.files.count == 6)
        let result = try ExportVerifier.verify(directory: dir)
        #expect(result.problems == [])
        #expect(result.recordsChecked == 600)
        #expect(result.filesChecked == 7)
        #expect(try sha256sumCheck(dir).status == 0)
    }

    @Test(arguments: Change.allCases)
    func everyChangeIsNamed(_ change: Change) throws {
        let (fixture, dir, manifest) = try Self.makeExport(compressed: change != .lineRemovedFromPlainFile && change != .plainFileCutMidLine)
        defer { withExtendedLifetime(fixture) {} }
        let data = manifest.files[1]
        let path = dir + "/" + data.name
        var expected: [(file: String, says: String)] = []
        switch change {
        case .byteFlippedInDataFile:
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0x20
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            expected = [(data.name, "SHA-256 is")]
        case .dataFileTruncated:
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count * 2 / 3).write(to: URL(fileURLWithPath: path))
            expected = [(data.name, "SHA-256 is"), (data.name, "truncated or damaged")]
        case .plainFileCutMidLine:
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count - 40).write(to: URL(fileURLWithPath: path))
            expected = [(data.name, "SHA-256 is"), (data.name, "its last record is cut off")]
        case .dataFileRemoved:
            try FileManager.default.removeItem(atPath: path)
            expected = [(data.name, "missing")]
        case .fileAdded:
            try "{}\n".write(toFile: dir + "/data/part-00099.ndjson", atomically: true, encoding: .utf8)
            expected = [("data/part-00099.ndjson", "not listed in SHA256SUMS")]
        case .lineRemovedFromDataFile:
            let lines = try Self.zstdLines(path)
            let shorter = (lines.prefix(5) + lines.dropFirst(6)).joined(separator: "\n") + "\n"
            try FileManager.default.removeItem(atPath: path)
            let packed = try CommandRunner.run("zstd", ["-q", "-o", path], stdin: Data(shorter.utf8))
            #expect(packed.status == 0, "\(packed.stderr)")
            expected = [(data.name, "SHA-256 is"), (data.name, "holds \(data.records - 1) records, manifest.json says \(data.records)")]
        case .lineRemovedFromPlainFile:
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            try ((lines.prefix(5) + lines.dropFirst(6)).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            expected = [(data.name, "SHA-256 is"), (data.name, "holds \(data.records - 1) records"), ("manifest.json", "shard '\(data.shard!)'")]
        case .lineReordered:
            let lines = try Self.zstdLines(path)
            var swapped = Array(lines)
            swapped.swapAt(3, 4)
            try FileManager.default.removeItem(atPath: path)
            _ = try CommandRunner.run("zstd", ["-q", "-o", path], stdin: Data((swapped.joined(separator: "\n") + "\n").utf8))
            expected = [(data.name, "SHA-256 is"), (data.name, "out of order")]
        case .manifestEdited:
            let text = try String(contentsOfFile: dir + "/manifest.json", encoding: .utf8)
            try text.replacingOccurrences(of: "\"recordCount\" : 600", with: "\"recordCount\" : 599")
                .write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)
            expected = [("manifest.json", "SHA-256 is"), ("manifest.json", "recordCount is 599")]
        case .sha256sumsEdited:
            var text = try String(contentsOfFile: dir + "/SHA256SUMS", encoding: .utf8)
            let digit = text.first == "0" ? "1" : "0"
            text.replaceSubrange(text.startIndex...text.startIndex, with: digit)
            try text.write(toFile: dir + "/SHA256SUMS", atomically: true, encoding: .utf8)
            expected = [(manifest.files[0].name, "SHA256SUMS says"), (manifest.files[0].name, "manifest.json says SHA-256")]
        case .sha256sumsLineRemoved:
            let text = try String(contentsOfFile: dir + "/SHA256SUMS", encoding: .utf8)
            try (text.split(separator: "\n").dropFirst(2).joined(separator: "\n") + "\n").write(
                toFile: dir + "/SHA256SUMS",
                atomically: true,
                encoding: .utf8
            )
            expected = [(manifest.files[1].name, "not listed in SHA256SUMS"), (manifest.files[1].name, "not in SHA256SUMS")]
        }
        let problems = try ExportVerifier.verify(directory: dir).problems
        for (file, says) in expected {
            #expect(
                problems.contains { $0.file == file && $0.message.contains(says) },
                "expected a problem for \(file) saying '\(says)', got: \(problems.map(\.description))"
            )
        }
        #expect(!problems.isEmpty)
    }

    @Test func sha256sumAlsoCatchesAFlippedByte() throws {
        let (fixture, dir, manifest) = try Self.makeExport()
        defer { withExtendedLifetime(fixture) {} }
        let path = dir + "/" + manifest.files[0].name
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 3] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let check = try sha256sumCheck(dir)
        #expect(check.status != 0)
        #expect(check.stdoutText.contains("\(manifest.files[0].name): FAILED"))
    }

    @Test func aDirectoryThatIsNoExportIsRefused() throws {
        let dir = try TemporaryDirectory("not-export")
        #expect {
            try ExportVerifier.verify(directory: dir.path)
        } throws: { ($0 as? ExportError)?.code == .invalidExport }
    }
}
