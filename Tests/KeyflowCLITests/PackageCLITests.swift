import Foundation
import KeyflowTestSupport
import Testing

/// What a user gets from the package: the shell completions (generated from the binary,
/// bash driven under tmux), the man pages, and the Debian package itself, installed on this
/// machine with apt-get, used and removed again.
///
/// The package is the one `scripts/package --debug` makes in .build/package (scripts/test
/// makes it before the end-to-end suites: the debug binaries, packaged as the release is),
/// or the .deb named by KEYFLOW_DEB (e.g. a release package of `scripts/package`).
@Suite(.serialized) struct PackageCLITests {
    static let root = TestPaths.packageRoot
    static var binary: String { TestPaths.keyflowBinary }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: - The commands, as swift-argument-parser describes them

    /// One displayed (sub)command of `keyflow --experimental-dump-help`.
    struct Command {
        var path: [String]  // ["keyflow", "context", "add"]
        var flags: [String]  // every displayed option and flag, long names: ["--json", ...]
    }

    static func commands() throws -> [Command] {
        let dump = try runKeyflow(["--experimental-dump-help"], environment: isolatedEnvironment())
        guard dump.status == 0, let json = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any],
            let root = json["command"] as? [String: Any]
        else { throw Failure("keyflow --experimental-dump-help failed: \(dump.all)") }
        var found: [Command] = []
        func walk(_ command: [String: Any], _ parents: [String]) {
            guard command["shouldDisplay"] as? Bool != false, let name = command["commandName"] as? String else { return }
            let path = parents + [name]
            var flags: [String] = []
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool != false {
                for n in argument["names"] as? [[String: Any]] ?? [] where n["kind"] as? String == "long" {
                    flags.append("--" + (n["name"] as? String ?? ""))
                }
            }
            found.append(Command(path: path, flags: flags))
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path) }
        }
        walk(root, [])
        return found
    }

    static func completionScript(_ shell: String) throws -> String {
        let generated = try runKeyflow(["--generate-completion-script", shell], environment: isolatedEnvironment())
        guard generated.status == 0 else { throw Failure("--generate-completion-script \(shell) failed: \(generated.all)") }
        return generated.stdout
    }

    /// The body of a shell function `name() { … }` in a generated script.
    static func function(_ name: String, in script: String) -> String? {
        guard let start = script.range(of: "\n\(name)() {\n") else { return nil }
        let rest = script[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n}\n")?.lowerBound ?? rest.endIndex)])
    }

    // MARK: - Completions

    /// Every displayed option and flag of every displayed command, `serve`'s included, is in
    /// the bash, zsh and fish scripts, under that command.
    @Test func completionScriptsOfferEveryFlagOfEveryCommand() throws {
        let commands = try Self.commands()
        let serve = try #require(commands.first { $0.path == ["keyflow", "serve"] })
        #expect(serve.flags.contains("--legacy-key-create") && serve.flags.contains("--data"), "\(serve.flags)")
        #expect(commands.count >= 15, "\(commands.map(\.path))")
        let bash = try Self.completionScript("bash"), zsh = try Self.completionScript("zsh"), fish = try Self.completionScript("fish")
        for command in commands where command.path.count > 1 {
            let function = "_" + command.path.joined(separator: "_")
            let bashBody = try #require(Self.function(function, in: bash), "no \(function) in the bash script")
            let zshBody = try #require(Self.function(function, in: zsh), "no \(function) in the zsh script")
            let fishLines = fish.split(separator: "\n").filter { $0.contains("\"\(command.path.joined(separator: " "))\"") }
            for flag in command.flags where flag != "--help" {
                #expect(bashBody.contains(flag), "bash: \(command.path.joined(separator: " ")) \(flag)")
                // A flag with a short name is written `'(-o --output)'{-o,--output}'[…]'`.
                #expect(zshBody.contains("'\(flag)") || zshBody.contains(",\(flag)}"), "zsh: \(command.path.joined(separator: " ")) \(flag)")
                #expect(fishLines.contains { $0.contains("-l '\(flag.dropFirst(2))'") }, "fish: \(command.path.joined(separator: " ")) \(flag)")
            }
        }
        // File arguments complete files of their kind in each shell.
        let run = try #require(Self.function("_keyflow_run", in: bash))
        #expect(run.contains("'!*.@(kf|kfplan)'"), "\(run)")
        #expect(zsh.contains("'*.kf'") || zsh.contains("*.kf"), "zsh completes .kf files")
        #expect(fish.contains("kfplan"), "fish completes saved plans")
    }

    /// Real bash in a real terminal: the generated script sourced, `keyflow run ex<Tab>`
    /// completes the one script among files of other kinds, `keyflow run ro<Tab>` a saved
    /// plan, and a flag of plan and of serve complete.
    @Test func bashCompletesFileNamesAndFlagsUnderTmux() async throws {
        let folder = try TestPaths.temporaryFolder("keyflow-complete")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.completionScript("bash").write(toFile: folder + "/keyflow.bash", atomically: true, encoding: .utf8)
        for file in ["example-rotate.kf", "extra.txt", "expenses.csv", "rotate.kfplan", "rotate.log"] {
            try "".write(toFile: folder + "/" + file, atomically: true, encoding: .utf8)
        }
        let bin = folder + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/keyflow", withDestinationPath: Self.binary)
        let terminal = ReplTerminalTests.Terminal()
        defer { terminal.kill() }
        try terminal.start(
            ["--norc", "--noprofile"],
            env: ["HOME": folder, "PATH": bin + ":/usr/bin:/bin", "TERM": "screen", "LANG": "C.UTF-8", "PS1": "$ "],
            program: "/bin/bash", directory: folder)
        try await terminal.wait("the shell's prompt") { $0.hasSuffix("$") }
        try terminal.enter("source keyflow.bash && echo sourced")
        try await terminal.wait("the script sourced") { $0.contains("\nsourced\n$") }

        // (The screen is read with trailing blanks removed: the space completion adds is not seen.)
        func complete(_ typed: String, expect line: String) async throws {
            try terminal.press("C-u")
            try terminal.type(typed)
            try terminal.press("Tab")
            let screen = try await terminal.wait("`\(typed)<Tab>` to complete to `\(line)`") { $0.hasSuffix("$ " + line) }
            #expect(screen.hasSuffix("$ " + line))
        }
        try await complete("keyflow run ex", expect: "keyflow run example-rotate.kf")
        try await complete("keyflow run ro", expect: "keyflow run rotate.kfplan")
        try await complete("keyflow check ex", expect: "keyflow check example-rotate.kf")
        try await complete("keyflow plan --detailed-e", expect: "keyflow plan --detailed-exitcode")
        try await complete("keyflow serve --legacy", expect: "keyflow serve --legacy-key-create")
        try await complete("keyflow ser", expect: "keyflow serve")
    }

    // MARK: - The package

    /// The .deb under test: KEYFLOW_DEB, else the newest of .build/package.
    static func package() throws -> String {
        if let given = ProcessInfo.processInfo.environment["KEYFLOW_DEB"], !given.isEmpty { return given }
        let folder = root.appendingPathComponent(".build/package").path
        let debs = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("keyflow_") && $0.hasSuffix(".deb") }
            .map { folder + "/" + $0 }
            .sorted {
                let a = (try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date) ?? .distantPast
                let b = (try? FileManager.default.attributesOfItem(atPath: $1)[.modificationDate] as? Date) ?? .distantPast
                return a > b
            }
        guard let deb = debs.first else {
            throw Failure("no package in \(folder): scripts/test makes one with scripts/package --debug (or set KEYFLOW_DEB)")
        }
        return deb
    }

    static func field(_ name: String, of deb: String) throws -> String {
        let out = try runProcess("/usr/bin/dpkg-deb", ["-f", deb, name])
        guard out.status == 0 else { throw Failure("dpkg-deb -f \(name): \(out.all)") }
        return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func installed() -> Bool {
        ((try? runProcess("/usr/bin/dpkg-query", ["-W", "-f=${Status}", "keyflow"]).stdout) ?? "").contains("install ok installed")
    }

    static func apt(_ arguments: [String]) throws -> ProcessOutput {
        try runProcess(
            "/usr/bin/apt-get", ["-y", "-q", "-o", "DPkg::Lock::Timeout=300"] + arguments,
            environment: isolatedEnvironment(["DEBIAN_FRONTEND": "noninteractive"]), mergingOutput: true)
    }

    /// What the package holds and declares, without installing it.
    @Test func thePackageHoldsBothBinariesCompletionsAndAManPagePerCommand() throws {
        let deb = try Self.package()
        let depends = try Self.field("Depends", of: deb)
        for library in ["libcurl4 | libcurl4t64", "libedit2", "libsqlite3-0"] {
            #expect(depends.contains(library), "Depends: \(depends)")
        }
        let version = try Self.field("Version", of: deb)
        let binaryVersion = try runKeyflow(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version == binaryVersion || version == binaryVersion + "~debug", "package \(version), binary \(binaryVersion)")

        let listing = try runProcess("/usr/bin/dpkg-deb", ["-c", deb])
        #expect(listing.status == 0)
        let paths = Set(listing.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let start = line.range(of: " ./") else { return nil }
            return String(line[start.upperBound...].split(separator: " ").first ?? "")
        })
        for path in [
            "usr/bin/keyflow", "usr/bin/keyflow-sandbox", "usr/share/bash-completion/completions/keyflow",
            "usr/share/zsh/vendor-completions/_keyflow", "usr/share/fish/vendor_completions.d/keyflow.fish",
        ] {
            #expect(paths.contains(path), "\(path) is not in the package")
        }
        for command in try Self.commands() {
            let dotted = command.path.joined(separator: "."), dashed = command.path.joined(separator: "-")
            #expect(paths.contains("usr/share/man/man1/\(dotted).1.gz"), "no man page for \(command.path.joined(separator: " "))")
            if command.path.count > 1 { #expect(paths.contains("usr/share/man/man1/\(dashed).1.gz"), "no \(dashed)(1)") }
        }
        #expect(!paths.contains("usr/share/man/man1/keyflow.bench-client.1.gz"), "a hidden command has no page")
    }

    /// apt-get install ./keyflow_*.deb, then as a new user would: --version, man keyflow and
    /// man keyflow-run, a playbook against the embedded sandbox, the installed bash
    /// completion; apt-get remove takes every file away again.
    @Test func aptInstallsThePackageWhichRunsAPlaybookAndRemovesIt() throws {
        let deb = try Self.package()
        guard !Self.installed() else {
            Issue.record("a keyflow package is installed already: this test installs its own and removes it, so remove that one first")
            return
        }
        let install = try Self.apt(["install", "--no-install-recommends", URL(fileURLWithPath: deb).standardizedFileURL.path])
        defer {
            if Self.installed() { _ = try? Self.apt(["remove", "keyflow"]) }
        }
        try #require(install.status == 0, "apt-get install: \(install.stdout)")
        #expect(Self.installed())

        let version = try runProcess("/usr/bin/keyflow", ["--version"])
        #expect(version.status == 0)
        #expect(try Self.field("Version", of: deb).hasPrefix(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(version.all)")

        let home = try TestPaths.temporaryFolder("keyflow-installed")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let env = isolatedEnvironment(["HOME": home, "XDG_CONFIG_HOME": home + "/.config", "MANPAGER": "cat", "MANWIDTH": "100", "PATH": "/usr/bin:/bin"])
        let man = try runProcess("/usr/bin/man", ["keyflow"], environment: env)
        #expect(man.status == 0, "\(man.all)")
        #expect(man.stdout.contains("KEYFLOW(1)") && man.stdout.contains("Check, plan and run API-key workflows"), "\(man.stdout)")
        #expect(man.stderr.isEmpty, "man keyflow warned: \(man.stderr)")
        for page in [["keyflow-run"], ["keyflow", "run"]] {
            let run = try runProcess("/usr/bin/man", page, environment: env)
            #expect(run.status == 0, "\(run.all)")
            #expect(run.stdout.contains("KEYFLOW.RUN(1)") && run.stdout.contains("--max-steps"), "man \(page.joined(separator: " ")): \(run.stdout)")
        }
        let serve = try runProcess("/usr/bin/man", ["keyflow-serve"], environment: env)
        #expect(serve.stdout.contains("--legacy-key-create"), "\(serve.all)")

        // The installed keyflow finds the installed keyflow-sandbox beside it.
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("examples/onboard.kf").path, toPath: home + "/onboard.kf")
        let playbook = try runProcess(
            "/usr/bin/keyflow", ["run", "--sandbox", "onboard.kf", "service=search"],
            environment: env.merging(["KEYFLOW_SANDBOX": home + "/sandbox"]) { $1 }, directory: home)
        #expect(playbook.status == 0, "\(playbook.all)")
        #expect(playbook.all.contains("Done:") && playbook.all.contains("2 created"), "\(playbook.all)")

        let completion = try String(contentsOfFile: "/usr/share/bash-completion/completions/keyflow", encoding: .utf8)
        #expect(completion == (try Self.completionScript("bash")), "the installed bash completion is what the binary generates")

        let remove = try Self.apt(["remove", "keyflow"])
        #expect(remove.status == 0, "apt-get remove: \(remove.stdout)")
        #expect(!Self.installed())
        for path in ["/usr/bin/keyflow", "/usr/bin/keyflow-sandbox", "/usr/share/man/man1/keyflow.1.gz", "/usr/share/bash-completion/completions/keyflow"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) is left after apt-get remove")
        }
    }
}
