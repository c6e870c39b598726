public import ArchiveStore
public import StreamModel

/// Every change of one item, in order: what changed, when, and who did it (a user principal, or TTL).
///
/// Reads the stream's blocks in event-time order (``ReplaySelection/Order/time``: per shard in sequence order,
/// parents first, shards merged by time) and keeps the records whose `dynamodb.Keys` hold the ``ItemKey``.
/// Blocks whose key filter rules the item out are not read (see ``ItemHistory/statistics``).
///
/// ```swift
/// let history = try ItemHistory(catalog: catalog, layout: layout, stream: "orders", key: try ItemKey(parsing: ["orderId=ORD-1"]))
/// try history.run { change in print(change.eventName, change.who) }
/// ```
public final class ItemHistory {
    /// The images in each ``ItemChange``: DynamoDB JSON as archived, or plain JSON.
    public enum ImageFormat: String, Sendable, CaseIterable {
        /// DynamoDB JSON (`{"status":{"S":"PAID"}}`).
        case native
        /// Unmarshalled (`{"status":"PAID"}`), as docs/CONVERSION.md's plain shape.
        case plain
    }

    /// The item.
    public let key: ItemKey
    private let pipeline: ReplayPipeline
    private let imageFormat: ImageFormat

    /// Plans the history (nothing is read yet).
    /// - Parameters:
    ///   - catalog: the archive's catalog.
    ///   - layout: where the archive's files are.
    ///   - stream: the stream name.
    ///   - key: the item's key attributes.
    ///   - from: earliest event time, inclusive, epoch ms.
    ///   - to: latest event time, exclusive, epoch ms.
    ///   - images: the form of the images.
    /// - Throws: ``ReplayError`` or ``ArchiveError`` (unknown stream, bad range).
    public init(
        catalog: Catalog,
        layout: StorageLayout,
        stream: String,
        key: ItemKey,
        from: Int64? = nil,
        to: Int64? = nil,
        images: ImageFormat = .plain
    ) throws {
        self.key = key
        self.imageFormat = images
        pipeline = try ReplayPipeline(
            catalog: catalog,
            layout: layout,
            selection: ReplaySelection(stream: stream, from: from, to: to, order: .time),
            filter: RecordSelection(key: key).makeFilter(),
            format: images == .plain ? .plain : .native
        )
    }

    /// Blocks read, records read and filtered so far (complete after ``run(_:)``).
    public var statistics: ReplayStatistics { pipeline.statistics }

    /// Hands every change of the item to `body`, oldest first.
    /// - Throws: ``ReplayError`` (damage: the changes before it were handed out), or what `body` throws.
    @discardableResult
    public func run(_ body: (ItemChange) throws -> Void) throws -> ReplayStatistics {
        try withoutActuallyEscaping(body) { body in
            var sink = HistorySink(body: body)
            return try pipeline.run(into: &sink)
        }
    }
}

/// One change of an item, as ``ItemHistory`` hands it out.
public struct ItemChange: Sendable, Equatable {
    /// Who made a change.
    public enum Actor: Sendable, Equatable, CustomStringConvertible {
        /// DynamoDB's Time to Live deleted the item.
        case ttl
        /// Another principal named in `userIdentity` (`Type` and `PrincipalId`).
        case principal(type: String, id: String)
        /// The record names nobody (most changes: DynamoDB Streams records no user for ordinary writes).
        case unknown

        /// `TTL`, the principal id, or `-`.
        public var description: String {
            switch self {
            case .ttl: "TTL"
            case .principal(_, let id): id
            case .unknown: "-"
            }
        }
    }

    /// Event time, epoch ms.
    public var timeMillis: Int64
    /// INSERT, MODIFY or REMOVE.
    public var eventName: String
    /// Who.
    public var who: Actor
    /// The source's shard id.
    public var shardID: String
    /// The record's sequence number in its shard.
    public var sequenceNumber: String
    /// The record's eventID.
    public var eventID: String
    /// `Keys` as JSON text (in the history's ``ItemHistory/ImageFormat``).
    public var keys: String?
    /// `NewImage` as JSON text; `nil` when the record has none (REMOVE, KEYS_ONLY, OLD_IMAGE).
    public var newImage: String?
    /// `OldImage` as JSON text; `nil` when the record has none (INSERT, KEYS_ONLY, NEW_IMAGE).
    public var oldImage: String?
}

/// Takes the item's records out of the pipeline (native layout: native or plain) into ``ItemChange``s.
struct HistorySink: ReplaySink {
    let body: (ItemChange) throws -> Void

    mutating func deliver(_ record: ReplayRecord) throws -> Bool {
        guard let located = record.locate() else { return true }
        var change = ItemChange(
            timeMillis: located.eventTimeMillis,
            eventName: "",
            who: .unknown,
            shardID: record.shardID,
            sequenceNumber: String(decoding: located.sequenceNumber, as: UTF8.self),
            eventID: ""
        )
        var principal: (type: String?, id: String?) = (nil, nil)
        var c = JSONCursor(UnsafeRawBufferPointer(record.bytes))
        func string(_ c: inout JSONCursor) -> String? {
            guard c.peek() == UInt8(ascii: "\""), let token = try? c.readString() else {
                c.skipValidValue()
                return nil
            }
            return String(decoding: c.unescaped(token.content), as: UTF8.self)
        }
        func raw(_ c: inout JSONCursor) -> String {
            c.skipWhitespace()
            let start = c.offset
            c.skipValidValue()
            return c.text(start..<c.offset)
        }
        guard (try? c.openObject()) == true else { return true }
        repeat {
            guard let key = try? c.readKey() else { break }
            if c.equals(key, "eventID") {
                change.eventID = string(&c) ?? ""
            } else if c.equals(key, "eventName") {
                change.eventName = string(&c) ?? ""
            } else if c.equals(key, "userIdentity"), (try? c.openObject()) == true {
                repeat {
                    guard let inner = try? c.readKey() else { break }
                    if c.equals(inner, "PrincipalId") || c.equals(inner, "principalId") {
                        principal.id = string(&c)
                    } else if c.equals(inner, "Type") || c.equals(inner, "type") {
                        principal.type = string(&c)
                    } else {
                        c.skipValidValue()
                    }
                } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
            } else if c.equals(key, "dynamodb"), (try? c.openObject()) == true {
                repeat {
                    guard let inner = try? c.readKey() else { break }
                    if c.equals(inner, "Keys") {
                        change.keys = raw(&c)
                    } else if c.equals(inner, "NewImage") {
                        change.newImage = raw(&c)
                    } else if c.equals(inner, "OldImage") {
                        change.oldImage = raw(&c)
                    } else {
                        c.skipValidValue()
                    }
                } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
            } else {
                c.skipValidValue()
            }
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        if let type = principal.type, let id = principal.id {
            change.who = change.eventName == "REMOVE" && type == "Service" && id == "dynamodb.amazonaws.com" ? .ttl : .principal(type: type, id: id)
        }
        try body(change)
        return true
    }
}
