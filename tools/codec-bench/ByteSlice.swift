typealias ByteSlice = UnsafeBufferPointer<UInt8>
