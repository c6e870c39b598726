import Foundation
import StreamModel

/// `streamvault verify-export DIR`: checks an export offline, with no archive or catalog, and names every
/// problem (which file, what differs).
///
/// 1. `SHA256SUMS`: every line well-formed, every file it lists present with that SHA-256, and no file in the
///    directory that it does not list (a file added afterwards).
/// 2. `manifest.json`: parses; every file it lists is in SHA256SUMS with the same digest and has its size.
/// 3. Each data file: decompresses to the end; its lines are JSON objects; their count is the manifest's; per
///    shard, sequence numbers rise from the manifest's first to its last and the counts add up.
public enum ExportVerifier {
    /// Verifies the export in `directory`.
    /// - Throws: ``ExportError/Code/invalidExport`` when `directory` is not an export at all (neither a
    ///   manifest.json nor a SHA256SUMS); every other finding is an ``ExportProblem`` in the result.
    public static func verify(directory: String) throws -> ExportVerification {
        var result = ExportVerification()
        let root = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let fm = FileManager.default
        let sumsPath = root + "/" + SHA256Sums.fileName
        let manifestPath = root + "/" + ExportManifest.fileName
        guard fm.fileExists(atPath: sumsPath) || fm.fileExists(atPath: manifestPath) else {
            throw ExportError(
                code: .invalidExport,
                message: "'\(root)' holds neither \(ExportManifest.fileName) nor \(SHA256Sums.fileName): it is not a StreamVault export."
            )
        }

        // 1. SHA256SUMS against the files on disk.
        var listed: [String: String] = [:]
        var actual: [String: (sha256: String, size: Int)] = [:]
        if let data = fm.contents(atPath: sumsPath) {
            let parsed = SHA256Sums.parse(String(decoding: data, as: UTF8.self))
            for bad in parsed.malformed {
                result.problems.append(
                    ExportProblem(file: SHA256Sums.fileName, message: "line \(bad.line) is not '<64 hex digits>  <file name>': '\(bad.text)'")
                )
            }
            for entry in parsed.entries {
                if listed[entry.name] != nil {
                    result.problems.append(ExportProblem(file: SHA256Sums.fileName, message: "lists '\(entry.name)' twice"))
                }
                listed[entry.name] = entry.sha256
                let path = root + "/" + entry.name
                guard fm.fileExists(atPath: path) else {
                    result.problems.append(ExportProblem(file: entry.name, message: "listed in SHA256SUMS but missing (removed after the export)"))
                    continue
                }
                do {
                    let digest = try DecompressingFileReader.digest(path: path)
                    actual[entry.name] = digest
                    result.filesChecked += 1
                    if digest.sha256 != entry.sha256 {
                        result.problems.append(
                            ExportProblem(
                                file: entry.name,
                                message: "SHA-256 is \(digest.sha256), SHA256SUMS says \(entry.sha256) (the file or SHA256SUMS was changed)"
                            )
                        )
                    }
                } catch {
                    result.problems.append(ExportProblem(file: entry.name, message: "could not be read: \(error)"))
                }
            }
        } else {
            result.problems.append(ExportProblem(file: SHA256Sums.fileName, message: "missing: the export's file digests are gone"))
        }
        for name in allFiles(root) where name != SHA256Sums.fileName && listed[name] == nil {
            result.problems.append(
                ExportProblem(file: name, message: "is not listed in SHA256SUMS (added after the export, or SHA256SUMS was edited)")
            )
        }

        // 2. The manifest.
        guard let manifestData = fm.contents(atPath: manifestPath) else {
            result.problems.append(
                ExportProblem(file: ExportManifest.fileName, message: "missing: record counts and sequence numbers cannot be checked")
            )
            return result
        }
        let manifest: ExportManifest
        do {
            manifest = try ExportManifest.decode(manifestData)
        } catch {
            result.problems.append(ExportProblem(file: ExportManifest.fileName, message: "does not parse as an export manifest: \(error)"))
            return result
        }
        for file in manifest.files + manifest.extraFiles {
            if let sum = listed[file.name], sum != file.sha256 {
                result.problems.append(
                    ExportProblem(file: file.name, message: "manifest.json says SHA-256 \(file.sha256), SHA256SUMS says \(sum)")
                )
            } else if listed[file.name] == nil {
                result.problems.append(ExportProblem(file: file.name, message: "is in manifest.json but not in SHA256SUMS"))
            }
            if let found = actual[file.name], found.size != file.size {
                result.problems.append(ExportProblem(file: file.name, message: "is \(found.size) bytes, manifest.json says \(file.size)"))
            }
        }
        let total = manifest.files.reduce(0) { $0 + $1.records }
        if total != manifest.recordCount {
            result.problems.append(
                ExportProblem(file: ExportManifest.fileName, message: "recordCount is \(manifest.recordCount) but its files add up to \(total)")
            )
        }

        // 3. The data files' records.
        checkRecords(root: root, manifest: manifest, into: &result)
        return result
    }

    private static func checkRecords(root: String, manifest: ExportManifest, into result: inout ExportVerification) {
        let hasSequence = LineSequence.carried(by: manifest.format)
        var perShard: [String: (records: Int, first: String?, last: [UInt8])] = [:]
        let fm = FileManager.default
        for file in manifest.files {
            let path = root + "/" + file.name
            guard fm.fileExists(atPath: path) else { continue }  // already named above
            let shard = file.shard ?? ""  // snapshot files hold items, not one shard's records
            var tally = perShard[shard] ?? (records: 0, first: nil, last: [])
            var badLines: [Int] = []
            var orderProblem: String?
            var lineNumber = 0
            do {
                let summary = try DecompressingFileReader.read(path: path, compression: ExportCompression.of(fileName: file.name)) { line in
                    lineNumber += 1
                    var cursor = JSONCursor(UnsafeRawBufferPointer(line))
                    let valid = cursor.peek() == UInt8(ascii: "{") && (try? cursor.skipValue()) != nil && cursor.atEnd()
                    guard valid else {
                        if badLines.count < 5 { badLines.append(lineNumber) }
                        return
                    }
                    tally.records += 1
                    guard hasSequence && file.shard != nil else { return }
                    guard let range = LineSequence.find(line) else {
                        if badLines.count < 5 { badLines.append(lineNumber) }
                        return
                    }
                    let sequence = UnsafeBufferPointer(rebasing: line[range])
                    if tally.first == nil { tally.first = String(decoding: sequence, as: UTF8.self) }
                    if !tally.last.isEmpty && SequenceNumber.compareDigits(tally.last, sequence) >= 0 && orderProblem == nil {
                        orderProblem =
                            "line \(lineNumber): sequence number \(String(decoding: sequence, as: UTF8.self)) does not follow "
                            + "\(String(decoding: tally.last, as: UTF8.self)) (records of shard '\(shard)' out of order or repeated)"
                    }
                    tally.last.removeAll(keepingCapacity: true)
                    tally.last.append(contentsOf: sequence)
                }
                result.recordsChecked += lineNumber
                if !summary.endsWithNewline {
                    result.problems.append(
                        ExportProblem(file: file.name, message: "ends inside a line: its last record is cut off (a truncated file)")
                    )
                }
                if lineNumber != file.records {
                    result.problems.append(ExportProblem(file: file.name, message: "holds \(lineNumber) records, manifest.json says \(file.records)"))
                }
            } catch {
                result.problems.append(ExportProblem(file: file.name, message: "\(error)"))
            }
            if !badLines.isEmpty {
                let lines = badLines.map(String.init).joined(separator: ", ")
                result.problems.append(
                    ExportProblem(
                        file: file.name,
                        message: "line(s) \(lines) are not complete \(manifest.format) records" + (hasSequence ? " with a sequence number" : "")
                    )
                )
            }
            if let orderProblem { result.problems.append(ExportProblem(file: file.name, message: orderProblem)) }
            if file.shard != nil { perShard[shard] = tally }
        }
        for shard in manifest.shards {
            guard let tally = perShard[shard.shard] else {
                if shard.records > 0 {
                    result.problems.append(
                        ExportProblem(file: ExportManifest.fileName, message: "shard '\(shard.shard)' has \(shard.records) records but no data file")
                    )
                }
                continue
            }
            if tally.records != shard.records {
                result.problems.append(
                    ExportProblem(
                        file: ExportManifest.fileName,
                        message: "shard '\(shard.shard)': the data files hold \(tally.records) records, manifest.json says \(shard.records)"
                    )
                )
            }
            guard hasSequence else { continue }
            if let first = tally.first, first != shard.firstSequenceNumber {
                result.problems.append(
                    ExportProblem(
                        file: ExportManifest.fileName,
                        message:
                            "shard '\(shard.shard)': first sequence number in the data is \(first), manifest.json says \(shard.firstSequenceNumber)"
                    )
                )
            }
            let last = String(decoding: tally.last, as: UTF8.self)
            if !tally.last.isEmpty && last != shard.lastSequenceNumber {
                result.problems.append(
                    ExportProblem(
                        file: ExportManifest.fileName,
                        message: "shard '\(shard.shard)': last sequence number in the data is \(last), manifest.json says \(shard.lastSequenceNumber)"
                    )
                )
            }
        }
        let named = Set(manifest.shards.map(\.shard))
        for shard in perShard.keys.sorted() where !named.contains(shard) {
            result.problems.append(
                ExportProblem(file: ExportManifest.fileName, message: "data files hold shard '\(shard)', which the manifest does not list")
            )
        }
    }

    /// Every regular file under `root`, relative, sorted.
    static func allFiles(_ root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        for case let relative as String in enumerator {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(relative)
            }
        }
        return files.sorted()
    }
}
