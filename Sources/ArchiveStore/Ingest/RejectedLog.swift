import Foundation
import StreamModel
import SystemPackage

/// Where `ingest --skip-invalid` sets refused records aside, nothing lost:
/// `<stream>/rejected/<time>-<pid>.ndjson` holds the refused lines verbatim (fix them and ingest that file),
/// and `<time>-<pid>.reasons.ndjson` one JSON object per refusal: source file, line, reason.
final class RejectedLog {
    let directory: String
    let baseName: String
    private var lines: FileIO?
    private var reasons: FileIO?
    private var linesOffset = 0
    private var reasonsOffset = 0
    private(set) var count = 0

    init(directory: String, now: Int64) {
        self.directory = directory
        let stamp = ISO8601Stamp.compact(now)
        self.baseName = "\(stamp)-\(getpid())"
    }

    var linesPath: String { directory + "/" + baseName + ".ndjson" }
    var reasonsPath: String { directory + "/" + baseName + ".reasons.ndjson" }

    func reject(_ bytes: UnsafeBufferPointer<UInt8>, source: String, line: Int, reason: String) throws {
        if lines == nil {
            try FileIO.makeDirectories(directory)
            lines = try FileIO.open(linesPath, .writeOnly, create: true)
            reasons = try FileIO.open(reasonsPath, .writeOnly, create: true)
        }
        guard let lines, let reasons else { return }
        var out = Array(bytes)
        if out.last != 0x0A { out.append(0x0A) }
        try out.withUnsafeBytes { try lines.write($0, at: linesOffset) }
        linesOffset += out.count
        count += 1
        let entry: [String: Any] = ["source": source, "line": line, "reason": reason, "rejectedLine": count]
        var json = Array(try JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]))
        json.append(0x0A)
        try json.withUnsafeBytes { try reasons.write($0, at: reasonsOffset) }
        reasonsOffset += json.count
    }

    /// fsyncs what was written (called at every archive commit, so rejections are as durable as records).
    func sync() throws {
        try lines?.sync()
        try reasons?.sync()
    }

    func close() {
        lines?.close()
        reasons?.close()
    }
}

enum ISO8601Stamp {
    /// `20261123T184000Z`.
    static func compact(_ millis: Int64) -> String {
        String(ISO8601.format(millis: millis).filter { $0 != "-" && $0 != ":" }.prefix(15)) + "Z"
    }
}
