import Foundation
import KeyflowSandbox

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A sandbox server in this process over a fresh temporary data folder (`prefix-UUID`).
public func startSandbox(
    _ prefix: String = "keyflow-sandbox-test", legacy: Bool = false, chaos: String? = nil, seed: UInt64 = 7,
    projectID: String? = nil
) async throws -> RunningSandbox {
    let directory = URL(fileURLWithPath: try TestPaths.temporaryFolder(prefix))
    let plan = try chaos.map { spec throws -> ChaosPlan in try ChaosPlan.parse(spec) } ?? .none
    return try await Sandbox.start(
        SandboxConfiguration(directory: directory, projectID: projectID, legacyKeyCreate: legacy, chaos: plan, seed: seed))
}

/// Headers authenticating with the bootstrap API key.
public func keyHeaders(_ credentials: SandboxCredentials) -> [String: String] {
    ["X-Appwrite-Project": credentials.project, "X-Appwrite-Key": credentials.apiKey]
}

/// Headers authenticating with the bootstrap console session in admin mode.
public func consoleHeaders(_ credentials: SandboxCredentials) -> [String: String] {
    [
        "X-Appwrite-Project": credentials.project, "Cookie": "a_session_console=\(credentials.session)",
        "X-Appwrite-Mode": "admin",
    ]
}

/// A plain HTTP answer.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    public var type: String? { json["type"] as? String }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A URLSession that keeps no cookies (tests set `Cookie` themselves) and gives up quickly.
public let testSession: URLSession = {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpCookieStorage = nil
    configuration.httpShouldSetCookies = false
    configuration.timeoutIntervalForRequest = 10
    return URLSession(configuration: configuration)
}()

/// Sends one request with URLSession (a real HTTP client, a real socket, not keyflow's).
public func send(
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
