import ArgumentParser

/// The sandbox server's flags, declared once for both commands that take them: `keyflow serve`
/// (which execs `keyflow-sandbox` with `arguments`) and `keyflow-sandbox` itself (which turns
/// them into a `SandboxConfiguration`). Declaring them here, not behind a passthrough, is what
/// puts them in `keyflow serve --help`, the man page and the shell completions.
public struct ServeFlags: ParsableArguments {
    @Option(help: "Address to listen on.")
    public var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    public var port = 0

    @Option(
        name: .customLong("data"), help: "Data directory (default: $KEYFLOW_SANDBOX or ./.keyflow/sandbox).",
        completion: .directory)
    public var data: String?

    @Option(help: "Project id on first start (default: sandbox).")
    public var project: String?

    @Option(help: "The organization's project ids on first start, comma-separated (the first holds the API key).")
    public var projects: String?

    @Flag(help: "Behave like servers 1.9.1–1.9.5: an API key with keys.write may create keys.")
    public var legacyKeyCreate = false

    @Option(help: "Fault injection, e.g. 500=0.05,503=0.05,429=0.05,reset=0.02,delay=0.05:2s,commit-then-500=0.02")
    public var chaos: String?

    @Option(help: "Seed for --chaos draws (same seed, same faults).")
    public var seed: UInt64?

    @Option(help: "Delay every request by this long, as over a network (e.g. 25ms, 0.1s); GET /_sandbox/requests counts them.")
    public var latency: String?

    public init() {}

    public func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    /// The same flags as a command line, for `keyflow serve` to hand to `keyflow-sandbox`.
    public var arguments: [String] {
        var words = ["--host", host, "--port", String(port)]
        if let data { words += ["--data", data] }
        if let project { words += ["--project", project] }
        if let projects { words += ["--projects", projects] }
        if legacyKeyCreate { words.append("--legacy-key-create") }
        if let chaos { words += ["--chaos", chaos] }
        if let seed { words += ["--seed", String(seed)] }
        if let latency { words += ["--latency", latency] }
        return words
    }
}
