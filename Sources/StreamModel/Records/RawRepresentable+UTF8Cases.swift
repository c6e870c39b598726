extension RawRepresentable where RawValue == String, Self: CaseIterable {
    /// Matches raw UTF-8 bytes against the cases without making a `String`.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        for candidate in Self.allCases where candidate.rawValue.utf8.elementsEqual(bytes) {
            self = candidate
            return
        }
        return nil
    }
}
