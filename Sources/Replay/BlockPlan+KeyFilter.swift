import ArchiveStore

extension BlockPlan {
    /// Drops the planned blocks whose key filter says they cannot hold `key`'s item.
    /// - Returns: how many were dropped.
    mutating func skipBlocks(without key: ItemKey, catalog: Catalog) throws -> Int {
        guard let low = blocks.lazy.map(\.info.id).min(), let high = blocks.lazy.map(\.info.id).max() else { return 0 }
        let hashes = key.attributeHashes
        var ruledOut = Set<Int64>()
        try catalog.blockKeyFilters(ids: low...high) { id, filter in
            if !BlockKeyFilter.mayContain(filter, attributes: hashes) { ruledOut.insert(id) }
        }
        guard !ruledOut.isEmpty else { return 0 }
        let before = blocks.count
        blocks.removeAll { ruledOut.contains($0.info.id) }
        return before - blocks.count
    }
}
