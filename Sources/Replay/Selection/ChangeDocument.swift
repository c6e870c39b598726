import StreamModel

/// The DynamoDB-shaped change inside an archived record, for the selection filters: the record itself for
/// native, Lambda DynamoDB, kds and plain records; the decoded `Data` payload of Kinesis-shaped ones.
/// Reuses its buffer and converters, so a warm one allocates nothing per record.
struct ChangeDocument {
    private var unwrap: [RecordConverter?] = [nil, nil]
    private var payload: [UInt8] = []

    /// Whether records of `format` wrap the change in a Kinesis record.
    static func isKinesis(_ format: RecordFormat) -> Bool { format == .kinesisRecord || format == .lambdaKinesis }

    /// Calls `body` with the change record inside `record`.
    /// - Throws: ``ReplayError`` (``ReplayError/Code/unsupportedFormat``) when a Kinesis payload does not decode.
    mutating func withChange<R>(
        _ record: UnsafeBufferPointer<UInt8>,
        _ format: RecordFormat,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) throws -> R {
        guard Self.isKinesis(format) else { return try body(record) }
        let slot = format == .kinesisRecord ? 0 : 1
        payload.removeAll(keepingCapacity: true)
        do throws(ShapeError) {
            if unwrap[slot] == nil { unwrap[slot] = RecordConverter(from: format, to: .kds) }
            try unwrap[slot]!.convert(record, into: &payload)
        } catch {
            throw ReplayError(
                code: .unsupportedFormat,
                message: "An archived \(format.rawValue) record's payload does not decode to a change record to select on: \(error)."
            )
        }
        return try payload.withUnsafeBufferPointer { try body($0) }
    }
}
