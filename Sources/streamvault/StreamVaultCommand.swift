import ArgumentParser

@main
struct StreamVaultCommand: AsyncParsableCommand {
    // Every command spells out its `commandName`: ArgumentParser would otherwise derive each one from the type's
    // name at every start (String(describing:) on a metatype: protocol-conformance scans, ~1.5 ms per run).
    static let configuration = CommandConfiguration(
        commandName: "streamvault",
        abstract: "Long-retention archive for DynamoDB change streams.",
        discussion: """
            DynamoDB Streams forgets a change after 24 hours. StreamVault keeps it: records go into zstd segment \
            files indexed in SQLite under --storage (default ./storage), and come back by time or sequence range.

            A five-minute tour:
              streamvault sample --records 10000 > day.ndjson      # a realistic day of Orders changes
              streamvault ingest --stream orders day.ndjson        # archive them
              streamvault ls                                       # streams, shards, segments
              streamvault replay --stream orders --from 2026-01-01T06:00:00Z --to 2026-01-01T06:01:00Z
              streamvault stats                                    # records, bytes, compression ratio
              streamvault verify                                   # every block's checksum vs the catalog
            """,
        version: "0.1.0",
        subcommands: [
            Archive.self,
            Ingest.self,
            Replay.self,
            Convert.self,
            List.self,
            Stats.self,
            Verify.self,
            Repair.self,
            CatalogGroup.self,
            Sample.self,
            Export.self,
            VerifyExport.self,
            Snapshot.self,
            RetentionGroup.self,
            Prune.self,
            HoldGroup.self,
            History.self,
            Replays.self,
            Serve.self,
        ]
    )
}
