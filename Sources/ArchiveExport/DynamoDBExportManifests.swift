import Foundation
import StreamModel

/// The manifests DynamoDB's exports to S3 write next to their data (`manifest-summary.json`,
/// `manifest-files.json`, and their `.checksum` files holding the MD5 hex), for a full export (what
/// `snapshot --layout dynamodb-export` writes, what Import from S3 reads) or an incremental one.
struct DynamoDBExportManifests {
    enum Kind {
        /// A full export: the table's items at `exportTime`.
        case full(exportTime: Int64)
        /// An incremental export of the changes in `[from, to)`, with NEW_AND_OLD_IMAGES or NEW_IMAGE.
        case incremental(from: Int64, to: Int64, view: String)
    }

    /// `01767225600000-a1b2c3d4`: creation time in ms (14 digits) and 8 random hex digits, as AWS's export ids.
    let exportID: String
    let tableARN: String?
    let kind: Kind
    let startTime: Int64
    let endTime: Int64

    /// The export's prefix inside the output directory: `AWSDynamoDB/<exportId>`.
    var prefix: String { "AWSDynamoDB/" + exportID }

    static func newExportID(now: Int64) -> String {
        let hex = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return padded(Int(now), 14) + "-" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The table's ARN from a DynamoDB stream ARN (`.../table/T/stream/<label>` -> `.../table/T`).
    static func tableARN(streamARN: String?) -> String? {
        if let streamARN, streamARN.hasPrefix("arn:"), let range = streamARN.range(of: "/stream/") {
            return String(streamARN[..<range.lowerBound])
        }
        return nil
    }

    /// Writes the four manifest files into `directory/<prefix>`; returns them as written.
    func write(
        staging: StagingDirectory,
        dataFiles: [WrittenFile],
        itemCounts: [Int],
        dataDirectory: String,
        billedBytes: Int
    ) throws -> [WrittenFile] {
        let directory = try staging.makeSubdirectory(prefix)
        var lines = ""
        for (file, count) in zip(dataFiles, itemCounts) {
            let entry: [String: Any] = [
                "itemCount": count,
                "md5Checksum": Data(file.md5).base64EncodedString(),
                "etag": file.md5.map { CompressingFileWriter.hex($0) }.joined(),
                "dataFileS3Key": dataDirectory + "/" + file.name,
            ]
            lines += try Self.json(entry) + "\n"
        }
        let filesWritten = try Self.writeFile(directory: directory, name: "manifest-files.json", text: lines)
        var summary: [String: Any] = [
            "exportArn": Self.orNull(tableARN.map { $0 + "/export/" + exportID }),
            "startTime": ISO8601.format(millis: startTime),
            "endTime": ISO8601.format(millis: endTime),
            "tableArn": Self.orNull(tableARN),
            "tableId": NSNull(),
            "s3Bucket": NSNull(),
            "s3Prefix": NSNull(),
            "s3SseAlgorithm": NSNull(),
            "s3SseKmsKeyId": NSNull(),
            "manifestFilesS3Key": prefix + "/manifest-files.json",
            "billedSizeBytes": billedBytes,
            "itemCount": itemCounts.reduce(0, +),
            "outputFormat": "DYNAMODB_JSON",
        ]
        switch kind {
        case .full(let exportTime):
            summary["version"] = "2020-06-30"
            summary["exportTime"] = ISO8601.format(millis: exportTime)
            summary["exportType"] = "FULL_EXPORT"
        case .incremental(let from, let to, let view):
            summary["version"] = "2023-08-01"
            summary["exportFromTime"] = ISO8601.format(millis: from)
            summary["exportToTime"] = ISO8601.format(millis: to)
            summary["outputView"] = view
            summary["exportType"] = "INCREMENTAL_EXPORT"
        }
        let summaryWritten = try Self.writeFile(directory: directory, name: "manifest-summary.json", text: try Self.json(summary) + "\n")
        let filesChecksum = try Self.writeFile(
            directory: directory,
            name: "manifest-files.checksum",
            text: filesWritten.md5.map { CompressingFileWriter.hex($0) }.joined()
        )
        let summaryChecksum = try Self.writeFile(
            directory: directory,
            name: "manifest-summary.checksum",
            text: summaryWritten.md5.map { CompressingFileWriter.hex($0) }.joined()
        )
        return [summaryWritten, summaryChecksum, filesWritten, filesChecksum].map { file in
            var named = file
            named.name = prefix + "/" + file.name
            return named
        }
    }

    static func orNull(_ text: String?) -> Any {
        if let text { return text }
        return NSNull()
    }

    /// `n` as decimal digits, zero-padded to `width` (file names).
    static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func json(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func writeFile(directory: String, name: String, text: String) throws -> WrittenFile {
        let writer = try CompressingFileWriter(directory: directory, name: name, compression: .none)
        try writer.write(text)
        return try writer.finish()
    }
}
