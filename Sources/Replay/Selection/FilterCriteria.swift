public import StreamModel

/// Lambda FilterCriteria as a replay filter: a record is delivered when any of the patterns matches it
/// (Lambda's OR across the Filters of an event source mapping); the others are counted as filtered.
///
/// ```swift
/// let criteria = try FilterCriteria(patterns: [#"{"dynamodb":{"NewImage":{"status":{"S":["SHIPPED"]}}}}"#])
/// let pipeline = try ReplayPipeline(catalog: catalog, layout: layout, selection: selection, filter: criteria)
/// ```
public struct FilterCriteria: RecordFilter {
    /// The patterns, in the order given.
    public let patterns: [FilterPattern]
    private var document = ChangeDocument()

    /// A filter from compiled patterns (at least one).
    public init(_ patterns: [FilterPattern]) {
        precondition(!patterns.isEmpty, "FilterCriteria needs at least one pattern")
        self.patterns = patterns
    }

    /// Compiles `texts` (at least one).
    /// - Throws: ``FilterPatternError`` for the first pattern that does not compile; its message says which.
    public init(patterns texts: [String]) throws(FilterPatternError) {
        var compiled: [FilterPattern] = []
        for (index, text) in texts.enumerated() {
            do throws(FilterPatternError) {
                compiled.append(try FilterPattern(text))
            } catch {
                throw texts.count == 1
                    ? error : FilterPatternError(code: error.code, path: error.path, expectation: "\(error.expectation) (pattern \(index + 1))")
            }
        }
        self.init(compiled)
    }

    public mutating func accepts(_ record: UnsafeBufferPointer<UInt8>, format: RecordFormat) throws -> Bool {
        guard ChangeDocument.isKinesis(format) else {
            return patterns.contains { $0.matches(record: record) }
        }
        let patterns = patterns
        return try document.withChange(record, format) { data in patterns.contains { $0.matches(kinesisData: data) } }
    }
}
