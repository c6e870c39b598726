/// The records of one block, as a view over the decompressed bytes: record `i` is `records[i]`, without its
/// newline. Valid only inside the closure that hands it out; nothing is copied.
struct BlockRecords {
    let bytes: UnsafeBufferPointer<UInt8>
    /// End offset (exclusive, before the newline) of each record.
    let ends: UnsafeBufferPointer<Int>

    /// Number of records.
    var count: Int { ends.count }

    /// Record `index` (0 ..< ``count``), without its trailing newline.
    @inline(__always)
    subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        let start = index == 0 ? 0 : ends[index - 1] + 1
        return UnsafeBufferPointer(rebasing: bytes[start..<ends[index]])
    }
}
