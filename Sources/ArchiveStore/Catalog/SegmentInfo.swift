/// A segment file.
public struct SegmentInfo: Sendable, Equatable {
    public enum State: String, Sendable { case open, sealed }
    public var id: Int64
    public var streamID: Int64
    public var fileName: String
    public var state: State
    public var committedBytes: Int64
    public var blockCount: Int64
    public var recordCount: Int64
    public var rawBytes: Int64
    public var minTime: Int64?
    public var maxTime: Int64?
    public var sha256: String?
    public var createdAt: Int64
    public var sealedAt: Int64?
}
