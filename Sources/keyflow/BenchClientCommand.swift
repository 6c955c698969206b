import ArgumentParser
import Foundation
import KeyflowClient

/// `keyflow bench-client` (hidden): the client half of scripts/bench-client. Fetches the
/// keys named in a file with N requests in flight and prints the wall time; or, with
/// `--create N`, creates N keys (through the session) and writes their ids to the file.
struct BenchClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-client", abstract: "Client benchmark driver (for scripts/bench-client).", shouldDisplay: false)

    @OptionGroup var target: TargetFlags

    @Option(help: "File of key ids, one a line.", completion: .file())
    var ids: String

    @Option(help: "Create this many keys first and write their ids to --ids.")
    var create: Int?

    @Option(help: "Requests in flight.")
    var concurrency = 1

    func run() async throws {
        guard let resolved = try target.resolver.resolve() else { throw ValidationError("no endpoint") }
        if let warning = resolved.insecureWarning { printError(warning) }
        let client = AppwriteClient(resolved.clientConfiguration())
        if let count = create {
            var lines: [String] = []
            for index in 0..<count {
                let id = "bench-\(index)"
                _ = try await client.createKey(id: id, fields: KeyFields(name: "Bench \(index)", scopes: ["users.read"]))
                lines.append(id)
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: ids, atomically: true, encoding: .utf8)
            return
        }
        let keyIDs = try String(contentsOfFile: ids, encoding: .utf8).split(separator: "\n").map(String.init)
        let width = max(1, concurrency)
        let cpuBefore = Self.cpuSeconds()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<width {
                group.addTask {
                    for index in stride(from: lane, to: keyIDs.count, by: width) {
                        _ = try await client.getKey(id: keyIDs[index])
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let cpu = (Self.cpuSeconds() - cpuBefore) * 1000
        print(String(format: "%d GETs, %d in flight: %.1f ms, client CPU %.1f ms", keyIDs.count, width, ms, cpu))
    }

    /// User + system CPU time of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
