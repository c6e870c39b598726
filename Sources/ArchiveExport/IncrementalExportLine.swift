import StreamModel

/// One line of DynamoDB's incremental export to S3 (DynamoDB JSON), built from a kds-shaped change:
///
///     {"Metadata":{"WriteTimestampMicros":{"N":"1767225600123000"}},"Keys":{...},"OldImage":{...},"NewImage":{...}}
///
/// `OldImage`/`NewImage` appear when the change carries them (an INSERT has no OldImage, a REMOVE no NewImage),
/// as in AWS's output for the NEW_AND_OLD_IMAGES view. Images are copied byte for byte.
enum IncrementalExportLine {
    /// Appends the line (no newline) to `out`.
    /// - Throws: ``ExportError/Code/invalidRecord`` when the record has no `Keys` or no event time.
    static func write(kds record: UnsafeBufferPointer<UInt8>, shard: String, into out: inout [UInt8]) throws {
        guard let change = ChangeImages.scan(record), let keys = change.keys, let micros = change.writeMicros else {
            throw ExportError(
                code: .invalidRecord,
                message: "An archived record of shard '\(shard)' has no dynamodb.Keys or ApproximateCreationDateTime, "
                    + "which every line of DynamoDB's incremental export needs. Export it with --layout streamvault instead."
            )
        }
        append("{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"", to: &out)
        appendDecimal(micros, to: &out)
        append("\"}},\"Keys\":", to: &out)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: record[keys]))
        if let old = change.oldImage {
            append(",\"OldImage\":", to: &out)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: record[old]))
        }
        if let new = change.newImage {
            append(",\"NewImage\":", to: &out)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: record[new]))
        }
        out.append(UInt8(ascii: "}"))
    }

    @inline(__always)
    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a non-negative integer's digits without building a String.
    static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        guard value > 0 else {
            out.append(UInt8(ascii: "0"))
            return
        }
        var divisor: Int64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
