import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
@testable import KeyflowSandbox

/// A fresh temporary data directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("keyflow-sandbox-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// A plain HTTP answer.
struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var type: String? { json["type"] as? String }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A URLSession that keeps no cookies (tests set `Cookie` themselves) and gives up quickly.
let testSession: URLSession = {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpCookieStorage = nil
    configuration.httpShouldSetCookies = false
    configuration.timeoutIntervalForRequest = 10
    return URLSession(configuration: configuration)
}()

/// Sends one request with URLSession (a real HTTP client, a real socket).
func send(
    _ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil, timeout: TimeInterval = 10
) async throws -> HTTPAnswer {
    var request = URLRequest(url: URL(string: url)!)
    request.timeoutInterval = timeout
    request.httpMethod = method
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    if let body {
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "content-type")
    }
    let (data, response) = try await testSession.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (name, value) in http.allHeaderFields {
        if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
    }
    return HTTPAnswer(status: http.statusCode, headers: fields, body: data)
}

/// Headers authenticating with the bootstrap API key.
func keyHeaders(_ credentials: SandboxCredentials) -> [String: String] {
    ["X-Appwrite-Project": credentials.project, "X-Appwrite-Key": credentials.apiKey]
}

/// Headers authenticating with the bootstrap console session in admin mode.
func consoleHeaders(_ credentials: SandboxCredentials) -> [String: String] {
    [
        "X-Appwrite-Project": credentials.project, "Cookie": "a_session_console=\(credentials.session)",
        "X-Appwrite-Mode": "admin",
    ]
}

/// The package root (…/Tests/KeyflowSandboxTests/Support.swift → …).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The Python of an SDK venv: env `variable`, else `.venv/NAME/bin/python` under the package root.
func sdkPython(_ variable: String, venv: String) -> String? {
    if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty { return path }
    let fallback = packageRoot.appendingPathComponent(".venv/\(venv)/bin/python").path
    return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
}

/// The keyflow binary: env KEYFLOW_BIN, else `.build/debug/keyflow`.
func keyflowBinary() -> String? {
    if let path = ProcessInfo.processInfo.environment["KEYFLOW_BIN"], !path.isEmpty { return path }
    let fallback = packageRoot.appendingPathComponent(".build/debug/keyflow").path
    return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
}

/// `run`, waited for on a thread of its own: a test that waits on the cooperative pool's
/// few threads (two on a 2-core machine) starves the in-process sandbox it talks to.
func runOffThePool(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws
    -> (status: Int32, output: String)
{
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try run(executable, arguments, environment: environment) })
        }.start()
    }
}

/// Runs a process to completion, collecting stdout and stderr together.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
