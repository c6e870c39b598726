import AWSCore
import Foundation

extension AWSEnvironment {
    /// Credentials, region and endpoint from a command's `--profile`, `--region` and `--endpoint-url` and the
    /// process environment; what cannot be resolved (an unknown profile, no region) ends the command as
    /// ``CLIError/Code/awsConfiguration``.
    static func fromCommandLine(profile: String?, region: String?, endpointURL: String?) throws -> AWSEnvironment {
        do {
            return try AWSEnvironment.resolve(
                environment: ProcessInfo.processInfo.environment,
                profile: profile,
                region: region,
                endpointURL: endpointURL
            )
        } catch {
            throw CLIError(code: .awsConfiguration, message: "\(error)")
        }
    }
}
