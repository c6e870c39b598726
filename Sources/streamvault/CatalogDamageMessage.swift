import ArchiveStore
import ArgumentParser
import Foundation

extension StreamVaultCommand {
    /// ArgumentParser's entry point, except that SQLite's bare "database disk image is malformed" (a damaged
    /// catalog file, whichever command read the bad page) becomes a message that names the catalog and says
    /// what to run.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let catalog = StorageLayout(root: storageDirectory(CommandLine.arguments)).catalogPath
            exit(withError: CatalogDamage.error(explaining: error, catalogPath: catalog) ?? error)
        }
    }

    /// `--storage DIR` / `--storage=DIR` as GlobalOptions reads it, else $STREAMVAULT_STORAGE, else ./storage.
    private static func storageDirectory(_ arguments: [String]) -> String {
        for (index, argument) in arguments.enumerated() {
            if argument == "--storage", index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix("--storage=") { return String(argument.dropFirst("--storage=".count)) }
        }
        return ProcessInfo.processInfo.environment["STREAMVAULT_STORAGE"] ?? "./storage"
    }
}
