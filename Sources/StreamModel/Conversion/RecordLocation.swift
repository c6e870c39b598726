/// Where a record sits in its input: the line it starts on and its place in a container.
public struct RecordLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the input holds its records.
    public enum Container: Sendable, Equatable {
        /// One record after another: NDJSON, or concatenated (even pretty-printed) JSON objects.
        case stream
        /// A top-level JSON array of records.
        case array
        /// The `Records` array of an object: a Lambda event or a GetRecords response.
        case records
    }

    /// 1-based line on which the record starts.
    public var line: Int
    /// 0-based position of the record among all records of the input.
    public var ordinal: Int
    /// The container the record is in.
    public var container: Container
    /// 0-based index within its array (`Records[index]` or `[index]`); equals ``ordinal`` in a stream.
    public var index: Int

    public init(line: Int, ordinal: Int, container: Container, index: Int) {
        self.line = line
        self.ordinal = ordinal
        self.container = container
        self.index = index
    }

    /// The JSON path of the record within its input: `Records[3]`, `[3]`, or empty in a stream.
    public var path: [ShapeError.PathComponent] {
        switch container {
        case .stream: return []
        case .array: return [.index(index)]
        case .records: return [.key("Records"), .index(index)]
        }
    }

    /// `line 12` or `line 3, record 5`.
    public var description: String {
        container == .stream ? "line \(line)" : "line \(line), record \(ordinal + 1)"
    }

    /// A message naming the record and the path of the problem: `line 3: Records[2].dynamodb.Keys: missing`.
    public func describe(_ error: ShapeError) -> String {
        "line \(line): \(error.inside(path).description)"
    }
}
