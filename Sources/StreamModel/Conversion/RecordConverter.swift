/// Converts change records between the shapes of ``RecordFormat``, one record at a time, losslessly where the
/// target shape can carry the data.
///
/// The converter is a streaming transcoder: it validates the input record in one pass (no Foundation JSON, no
/// per-record object tree) and writes the target shape into a caller-owned buffer. Attribute-value JSON
/// (`Keys`, `NewImage`, `OldImage`) is copied byte for byte between shapes that use it, so every N digit, B byte,
/// set order, empty string/map and escape survives. The converter keeps scratch buffers between calls: reuse one
/// per thread of work.
///
/// ```swift
/// var converter = RecordConverter(from: .native, to: .kds, options: ConversionOptions(tableName: "orders"))
/// var out = [UInt8]()
/// try record.withUnsafeBufferPointer { try converter.convert($0, into: &out) }
/// ```
///
/// What each conversion derives when the source lacks a field is in docs/CONVERSION.md.
///
/// ## Topics
/// ### Converting
/// - ``init(from:to:options:)``
/// - ``convert(_:envelope:into:)``
public struct RecordConverter {
    /// The shape records are read in.
    public let source: RecordFormat
    /// The shape records are written in.
    public let target: RecordFormat
    /// The options given at creation.
    public let options: ConversionOptions

    private let context: ConversionContext
    private var decoded = [UInt8]()
    private var encoded = [UInt8]()
    private var hasher = PartitionKeyHasher()

    /// Creates a converter.
    /// - Parameters:
    ///   - source: the input shape. ``RecordFormat/plain`` is accepted as input (see ``PlainRecordReader``).
    ///   - target: the output shape.
    ///   - options: facts the target needs that the source may lack.
    public init(from source: RecordFormat, to target: RecordFormat, options: ConversionOptions = ConversionOptions()) {
        self.source = source
        self.target = target
        self.options = options
        self.context = ConversionContext(options)
    }

    /// Converts one record, appending the target shape's compact JSON (no newline) to `out`.
    ///
    /// - Parameters:
    ///   - record: one record's JSON text in the ``source`` shape (leading/trailing whitespace allowed).
    ///   - envelope: per-record facts from outside the record (archive, Kinesis envelope), used where the record lacks them.
    ///   - out: the buffer to append to. On error, `out` is restored to its length before the call.
    /// - Throws: ``ShapeError`` with the JSON path of the offending field, e.g. `dynamodb.NewImage.total.N: expected a numeric string`.
    public mutating func convert(_ record: UnsafeBufferPointer<UInt8>, envelope: RecordEnvelope? = nil, into out: inout [UInt8]) throws(ShapeError) {
        let mark = out.count
        do throws(ShapeError) {
            try convertUnchecked(record, envelope: envelope, into: &out)
        } catch {
            out.removeSubrange(mark...)
            throw error
        }
    }

    /// Converts one record given as bytes and returns the result (convenience for tests and small tools).
    public mutating func convert(_ record: [UInt8], envelope: RecordEnvelope? = nil) throws(ShapeError) -> [UInt8] {
        var out = [UInt8]()
        try record.withUnsafeBufferPointer { (r) throws(ShapeError) in try convert(r, envelope: envelope, into: &out) }
        return out
    }

    private mutating func convertUnchecked(
        _ record: UnsafeBufferPointer<UInt8>,
        envelope: RecordEnvelope?,
        into out: inout [UInt8]
    ) throws(ShapeError) {
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        var parts = ChangeRecordParts()
        var decoded = self.decoded
        self.decoded = []
        defer { self.decoded = decoded }
        decoded.removeAll(keepingCapacity: true)
        let assumedKDSScale = context.timePrecision?.scale ?? 3
        switch source {
        case .native, .lambdaDynamoDB:
            try parts.parseChange(&c, timeScale: 0)
        case .kds:
            try parts.parseChange(&c, timeScale: assumedKDSScale)
        case .plain:
            try PlainRecordReader.marshal(&c, into: &decoded)
        case .kinesisRecord, .lambdaKinesis:
            let lambda = source == .lambdaKinesis
            let data = lambda ? try parts.parseLambdaKinesis(&c) : try parts.parseKinesisRecord(&c)
            let dataPath: [ShapeError.PathComponent] = lambda ? [.key("kinesis"), .key("data")] : [.key("Data")]
            guard Base64.decode(data, into: &decoded) else {
                throw ShapeError(path: dataPath, expectation: "expected a base64 string", offset: 0)
            }
        }
        guard c.atEnd() else { throw c.fail("expected the end of the record") }
        if decoded.isEmpty && (source == .native || source == .lambdaDynamoDB || source == .kds) {
            try write(parts, envelope: envelope, into: &out)
            return
        }
        // The record's payload is in `decoded` (Kinesis data, or the native form of a plain record): parse it there.
        let nested = source == .plain ? 0 : assumedKDSScale
        let dataPath: [ShapeError.PathComponent] =
            source == .lambdaKinesis ? [.key("kinesis"), .key("data")] : source == .kinesisRecord ? [.key("Data")] : []
        try decoded.withUnsafeBufferPointer { (payload) throws(ShapeError) in
            var inner = JSONCursor(UnsafeRawBufferPointer(payload))
            do throws(ShapeError) {
                try parts.parseChange(&inner, timeScale: nested)
                guard inner.atEnd() else { throw inner.fail("expected the end of the payload") }
            } catch {
                throw dataPath.isEmpty ? error : error.inside(dataPath)
            }
            try write(parts, envelope: envelope, into: &out)
        }
    }

    private mutating func write(_ parts: ChangeRecordParts, envelope: RecordEnvelope?, into out: inout [UInt8]) throws(ShapeError) {
        switch target {
        case .native: try parts.writeNative(lambda: false, plain: false, context, envelope, into: &out)
        case .lambdaDynamoDB: try parts.writeNative(lambda: true, plain: false, context, envelope, into: &out)
        case .plain: try parts.writeNative(lambda: false, plain: true, context, envelope, into: &out)
        case .kds: try parts.writeKDS(context, into: &out)
        case .kinesisRecord, .lambdaKinesis:
            var encoded = self.encoded
            self.encoded = []
            defer { self.encoded = encoded }
            encoded.removeAll(keepingCapacity: true)
            try parts.writeKDS(context, into: &encoded)
            try encoded.withUnsafeBufferPointer { (payload) throws(ShapeError) in
                try parts.writeKinesis(lambda: target == .lambdaKinesis, payload: payload, context, envelope, hasher: &hasher, into: &out)
            }
        }
    }
}
