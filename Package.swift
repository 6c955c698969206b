// swift-tools-version:6.2
import PackageDescription

// keyflow: a language for Appwrite API-key workflows.
// Libraries: the language front end, the API client (libcurl), the runtime
// (interpreter, executor, sinks, rotation) and the sandbox server. The `keyflow`
// executable is a thin shell over them; the sandbox server has its own thin executable,
// `keyflow-sandbox` (what `keyflow serve` execs and the embedded sandbox starts), so that
// the web server and SQLite are not loaded by every `keyflow` start.
let package = Package(
    name: "keyflow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "keyflow", targets: ["keyflow"]),
        .executable(name: "keyflow-sandbox", targets: ["keyflow-sandbox"]),
        .library(name: "KeyflowBasics", targets: ["KeyflowBasics"]),
        .library(name: "KeyflowLanguage", targets: ["KeyflowLanguage"]),
        .library(name: "KeyflowClient", targets: ["KeyflowClient"]),
        .library(name: "KeyflowRuntime", targets: ["KeyflowRuntime"]),
        .library(name: "KeyflowSandbox", targets: ["KeyflowSandbox"]),
        .library(name: "KeyflowREPL", targets: ["KeyflowREPL"]),
        .library(name: "KeyflowCLI", targets: ["KeyflowCLI"]),
        .library(name: "KeyflowLSP", targets: ["KeyflowLSP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C system libraries.
        // libcurl's headers (libcurl4-openssl-dev: scripts/bootstrap installs it); its
        // functions are reached through CurlLoader, which loads libcurl.so.4 at run time on a
        // thread of its own (CCurl/shim.h says why). No pkgConfig: it would link libcurl.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .target(name: "CurlLoader", dependencies: ["CCurl"]),
        .systemLibrary(
            name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]),

        // What several libraries share, each rule once: the civil calendar, JSON (value,
        // reader, writer), glob matching, spelling suggestions, the scope catalogue. No Foundation.
        .target(name: "KeyflowBasics"),
        // The language: lexer, parser, checker, formatter, diagnostics. No I/O beyond reading files.
        .target(name: "KeyflowLanguage", dependencies: ["KeyflowBasics"]),
        // The Keys API client over libcurl: models, transport, retries, credentials.
        .target(
            name: "KeyflowClient",
            dependencies: ["KeyflowBasics", "CCurl", "CurlLoader", .product(name: "TOMLKit", package: "TOMLKit")]),
        // The interpreter, the two executors (simulate for plan, the Keys API for run), sinks,
        // rotation. Returns events and results; never writes to a terminal.
        .target(
            name: "KeyflowRuntime",
            dependencies: ["KeyflowBasics", "KeyflowLanguage", "KeyflowClient", .product(name: "Crypto", package: "swift-crypto")]),
        // The command line's shell around the runtime: reading scripts, resolving the target
        // (flags, environment, `use`, the embedded sandbox), printing events, exit codes.
        .target(name: "KeyflowCLI", dependencies: ["KeyflowBasics", "KeyflowLanguage", "KeyflowClient", "KeyflowRuntime"]),
        // The Appwrite-compatible Keys API sandbox server.
        .target(
            name: "KeyflowSandbox",
            dependencies: [
                "KeyflowBasics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The sandbox server's flags, shared by `keyflow serve` and `keyflow-sandbox`.
        .target(name: "KeyflowServeFlags", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The REPL: line editing over libedit, completion, history, multi-line input, meta-commands.
        .target(name: "KeyflowREPL", dependencies: ["KeyflowBasics", "KeyflowLanguage", "KeyflowClient", "KeyflowRuntime", "CEditLine"]),
        // The language server (`keyflow lsp`): LSP 3.17 over stdio, Content-Length framed
        // JSON-RPC; diagnostics, completion (the REPL's completer, live names from the target),
        // hover, formatting, definitions, semantic tokens.
        .target(
            name: "KeyflowLSP",
            dependencies: ["KeyflowBasics", "KeyflowLanguage", "KeyflowClient", "KeyflowRuntime", "KeyflowCLI", "KeyflowREPL"]),
        // The command line: a thin shell over the libraries (and the REPL over libedit).
        .executableTarget(
            name: "keyflow",
            dependencies: [
                "KeyflowLanguage", "KeyflowClient", "KeyflowRuntime", "KeyflowREPL", "KeyflowCLI", "KeyflowLSP", "KeyflowServeFlags",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // The sandbox server's executable: `keyflow serve` and the embedded sandbox run it.
        .executableTarget(
            name: "keyflow-sandbox",
            dependencies: ["KeyflowSandbox", "KeyflowServeFlags", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // What the test targets share: running the keyflow binary, starting sandboxes (a
        // `keyflow serve` process or one in process), temporary folders, a scripted HTTP
        // server, golden files, seeded randomness. Only test targets depend on it.
        .target(name: "KeyflowTestSupport", dependencies: ["KeyflowSandbox"], path: "Tests/KeyflowTestSupport"),
        .testTarget(name: "KeyflowBasicsTests", dependencies: ["KeyflowBasics", "KeyflowLanguage", "KeyflowRuntime"]),
        .testTarget(name: "KeyflowLanguageTests", dependencies: ["KeyflowLanguage", "KeyflowTestSupport"]),
        .testTarget(name: "KeyflowClientTests", dependencies: ["KeyflowBasics", "KeyflowClient", "KeyflowSandbox", "KeyflowTestSupport"]),
        .testTarget(name: "KeyflowSandboxTests", dependencies: ["KeyflowSandbox", "KeyflowTestSupport"], exclude: ["conformance"]),
        .testTarget(name: "KeyflowRuntimeTests", dependencies: ["KeyflowBasics", "KeyflowRuntime", "KeyflowSandbox", "KeyflowTestSupport"], exclude: ["plans"]),
        .testTarget(name: "KeyflowREPLTests", dependencies: ["KeyflowBasics", "KeyflowREPL", "KeyflowTestSupport"]),
        .testTarget(name: "KeyflowLSPTests", dependencies: ["KeyflowBasics", "KeyflowLanguage", "KeyflowLSP"]),
        .testTarget(name: "KeyflowCLITests", dependencies: ["KeyflowTestSupport"], exclude: ["golden", "lsp"]),
    ],
    swiftLanguageModes: [.v6]
)
