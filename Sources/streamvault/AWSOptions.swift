import AWSCore
import ArgumentParser

/// `--region`, `--profile` and `--endpoint-url`: the AWS settings of every command that calls AWS (or an
/// S3-compatible store), resolved with the environment and `~/.aws` by ``environment()``.
struct AWSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region).", valueName: "region"))
    var region: String?

    @Option(help: ArgumentHelp("AWS profile (default: AWS_PROFILE, else default).", valueName: "name"))
    var profile: String?

    @Option(
        name: .customLong("endpoint-url"),
        help: ArgumentHelp(
            "Send AWS calls here instead, e.g. an emulator or an S3-compatible store (default: AWS_ENDPOINT_URL_<SERVICE>, e.g. "
                + "AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL).",
            valueName: "url"
        )
    )
    var endpointURL: String?

    /// Credentials, region and endpoint from these options and the process environment.
    /// - Throws: ``CLIError`` with ``CLIError/Code/awsConfiguration`` for what cannot be resolved.
    func environment() throws -> AWSEnvironment {
        try AWSEnvironment.fromCommandLine(profile: profile, region: region, endpointURL: endpointURL)
    }
}
