public import StreamModel

/// Delivers only records whose `eventName` is one of the given kinds (`--event-name REMOVE`).
///
/// Reads the top-level `eventName` of DynamoDB-shaped records (native, Lambda DynamoDB, kds, plain) with
/// a short scan; Kinesis-wrapped records (kinesis-record, lambda-kinesis) are decoded to kds first.
public struct EventNameFilter: RecordFilter {
    private var wanted: UInt8 = 0
    private var unwrap: [RecordFormat: RecordConverter] = [:]
    private var payload: [UInt8] = []

    /// - Parameter names: the kinds to deliver.
    public init(_ names: some Sequence<EventName>) {
        for name in names { wanted |= Self.bit(name) }
    }

    public mutating func accepts(_ record: UnsafeBufferPointer<UInt8>, format: RecordFormat) throws -> Bool {
        switch format {
        case .kinesisRecord, .lambdaKinesis:
            payload.removeAll(keepingCapacity: true)
            do throws(ShapeError) {
                if unwrap[format] == nil { unwrap[format] = RecordConverter(from: format, to: .kds) }
                try unwrap[format]!.convert(record, into: &payload)
            } catch {
                throw ReplayError(
                    code: .unsupportedFormat,
                    message: "An archived \(format.rawValue) record does not decode to filter on eventName: \(error)."
                )
            }
            return try payload.withUnsafeBufferPointer { try match($0, format) }
        default:
            return try match(record, format)
        }
    }

    private func match(_ record: UnsafeBufferPointer<UInt8>, _ format: RecordFormat) throws -> Bool {
        guard let name = Self.eventName(record) else {
            throw ReplayError(
                code: .unsupportedFormat,
                message: "An archived \(format.rawValue) record has no top-level eventName (INSERT, MODIFY or REMOVE) to filter on."
            )
        }
        return wanted & name != 0
    }

    private static func bit(_ name: EventName) -> UInt8 {
        switch name {
        case .insert: 1
        case .modify: 2
        case .remove: 4
        }
    }

    /// The bit of the record's top-level `eventName`, or `nil` when there is none.
    static func eventName(_ record: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        guard (try? c.openObject()) == true else { return nil }
        repeat {
            guard let key = try? c.readKey() else { return nil }
            guard c.equals(key, "eventName") else {
                c.skipValidValue()
                continue
            }
            guard let token = try? c.readString() else { return nil }
            let text = c.bytes(token.content)
            for name in EventName.allCases where text.elementsEqual(name.rawValue.utf8) { return bit(name) }
            return nil
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        return nil
    }
}
