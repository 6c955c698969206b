import ArgumentParser
import KeyflowClient

/// The target flags of docs/language.md §13, shared by the commands that talk to a server.
/// They feed `TargetResolver`, which adds the environment and the stored login.
struct TargetFlags: ParsableArguments {
    @Option(help: "The Appwrite API endpoint, /v1 included (else APPWRITE_ENDPOINT).")
    var endpoint: String?

    @Option(help: "The project id (else APPWRITE_PROJECT_ID).")
    var project: String?

    @Option(name: .customLong("key-file"), help: "A file holding the API key (else APPWRITE_API_KEY).", completion: .file())
    var keyFile: String?

    @Option(name: .customLong("organization-key-file"), help: "A file holding an organization API key (else APPWRITE_ORGANIZATION_KEY).", completion: .file())
    var organizationKeyFile: String?

    @Option(help: "The organization id, for an organization key and `projects` (else APPWRITE_ORGANIZATION_ID).")
    var organization: String?

    @Flag(help: "Do not verify TLS certificates (a warning is printed on every run).")
    var insecure = false

    @Option(help: "A named context from config.toml (else KEYFLOW_CONTEXT, else the current one; see keyflow context).", completion: .custom(ContextCommand.completeName))
    var context: String?

    var options: TargetOptions {
        TargetOptions(
            endpoint: endpoint, project: project, keyFile: keyFile, organizationKeyFile: organizationKeyFile,
            organization: organization, insecure: insecure, context: context)
    }

    var resolver: TargetResolver { TargetResolver(options: options) }
}

/// The file name extensions the shell completions offer for a command's file argument.
enum FileKinds {
    /// A script (docs/language.md).
    static let script = ["kf"]
    /// What `plan` and `run` take: a script, or a plan saved by `keyflow plan -o FILE.kfplan`.
    static let scriptOrPlan = ["kf", "kfplan"]
}
