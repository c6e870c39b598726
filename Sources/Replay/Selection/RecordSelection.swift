public import StreamModel

/// Which records a replay, export or history picks beyond the time/shard range of ``ReplaySelection``:
/// event names, one item's key, TTL deletes, and Lambda FilterCriteria patterns. All given conditions must
/// hold; among the patterns, any one matching is enough (Lambda's OR across filters).
///
/// ```swift
/// var selection = RecordSelection()
/// selection.key = try ItemKey(parsing: ["orderId=ORD-1"])
/// selection.ttlDeletes = .exclude
/// let pipeline = try ReplayPipeline(catalog: catalog, layout: layout, selection: range, filter: selection.makeFilter())
/// ```
public struct RecordSelection: Sendable {
    /// Only these event names; empty: all.
    public var eventNames: Set<EventName>
    /// Only the changes of this item.
    public var key: ItemKey?
    /// TTL deletes kept, alone, or left out.
    public var ttlDeletes: TTLDelete.Selection
    /// Lambda FilterCriteria patterns; a record passes when any matches. Empty: no pattern condition.
    public var patterns: [FilterPattern]

    /// A selection; every part is optional (the default selects every record).
    public init(eventNames: Set<EventName> = [], key: ItemKey? = nil, ttlDeletes: TTLDelete.Selection = .include, patterns: [FilterPattern] = []) {
        self.eventNames = eventNames
        self.key = key
        self.ttlDeletes = ttlDeletes
        self.patterns = patterns
    }

    /// Whether nothing narrows the records.
    public var selectsEverything: Bool { eventNames.isEmpty && key == nil && ttlDeletes == .include && patterns.isEmpty }

    /// The filter for ``ReplayPipeline``; `nil` when ``selectsEverything``.
    public func makeFilter() -> (any RecordFilter)? {
        selectsEverything ? nil : SelectionFilter(self)
    }
}

/// The ``RecordFilter`` of a ``RecordSelection``: every condition compiled into pattern nodes, checked with one
/// short walk each over the stored record (or its decoded Kinesis payload).
struct SelectionFilter: RecordFilter {
    private let required: [PatternNode]
    private let excluded: PatternNode?
    private let patterns: [FilterPattern]
    private var document = ChangeDocument()
    let requiredItemKey: ItemKey?

    init(_ selection: RecordSelection) {
        var required: [PatternNode] = []
        if !selection.eventNames.isEmpty {
            let names = EventName.allCases.filter { selection.eventNames.contains($0) }
            required.append(
                PatternNode(fields: [PatternField(name: Array("eventName".utf8), test: .leaf(names.map { .equalsString(Array($0.rawValue.utf8)) }))])
            )
        }
        if let key = selection.key { required.append(key.patternNode) }
        if selection.ttlDeletes == .only { required.append(TTLDelete.pattern) }
        self.required = required
        excluded = selection.ttlDeletes == .exclude ? TTLDelete.pattern : nil
        patterns = selection.patterns
        requiredItemKey = selection.key
    }

    mutating func accepts(_ record: UnsafeBufferPointer<UInt8>, format: RecordFormat) throws -> Bool {
        let kinesis = ChangeDocument.isKinesis(format)
        let (required, excluded, patterns) = (required, excluded, patterns)
        return try document.withChange(record, format) { change in
            for node in required {
                var c = JSONCursor(UnsafeRawBufferPointer(change))
                guard node.matchObject(&c) else { return false }
            }
            if let excluded {
                var c = JSONCursor(UnsafeRawBufferPointer(change))
                if excluded.matchObject(&c) { return false }
            }
            guard !patterns.isEmpty else { return true }
            return kinesis ? patterns.contains { $0.matches(kinesisData: change) } : patterns.contains { $0.matches(record: change) }
        }
    }
}
