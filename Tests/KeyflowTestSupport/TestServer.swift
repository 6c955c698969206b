import Foundation
import Testing

/// A small scripted HTTP/1.1 server on 127.0.0.1 (Python's standard library, keep-alive on),
/// for transport tests and for recording raw requests. It serves a tiny in-memory Keys API
/// and records every request (method, raw path and query, headers, body, client port).
/// `POST /__script` queues canned answers for the next requests: a status, a delay,
/// a connection reset, or "commit then 500" (apply the write, then fail).
public final class TestServer: @unchecked Sendable {
    public let port: Int
    private let process: Process
    public var endpoint: String { "http://127.0.0.1:\(port)/v1" }

    public struct Recorded: Sendable {
        public var method: String
        public var path: String
        public var query: String
        public var headers: [(String, String)]
        public var body: String
        public var clientPort: Int

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public init() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("keyflow-testserver-\(UUID().uuidString).py")
        try TestServer.source.write(to: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        self.process = process
        let line = output.fileHandleForReading.firstLine()
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw TestServerError.noPort(line)
        }
        self.port = port
    }

    deinit {
        // Not waitUntilExit: off the main thread it spins on Linux.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Queues answers: each a JSON object like `{"status": 503, "headers": {"Retry-After": "1"}}`,
    /// `{"delay": 2.0}`, `{"reset": true}` or `{"commit_then": 500}`.
    public func script(_ entries: [String]) throws {
        _ = try control("POST", "/__script", body: "[" + entries.joined(separator: ",") + "]")
    }

    public func requests() throws -> [Recorded] {
        let data = try control("GET", "/__log", body: nil)
        let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return list.map { item in
            Recorded(
                method: item["method"] as? String ?? "", path: item["path"] as? String ?? "",
                query: item["query"] as? String ?? "",
                headers: (item["headers"] as? [[String]] ?? []).map { ($0[0], $0[1]) },
                body: item["body"] as? String ?? "", clientPort: item["port"] as? Int ?? 0)
        }
    }

    /// Waits until the server has recorded `count` requests that match: a signal that
    /// they arrived (it records a request before it acts on a scripted delay), instead of
    /// a sleep that hopes they did.
    public func waitForRequests(
        _ count: Int, timeout: Duration = .seconds(10), matching: (Recorded) -> Bool = { _ in true }
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try requests().filter(matching).count < count {
            guard ContinuousClock.now < deadline else { throw TestServerError.timedOut("\(count) requests did not arrive in \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    public func reset() throws { _ = try control("POST", "/__reset", body: nil) }

    /// Control calls go through the `curl` tool, not the client under test.
    private func control(_ method: String, _ path: String, body: String?) throws -> Data {
        var arguments = ["curl", "-sS", "-X", method, "http://127.0.0.1:\(port)\(path)"]
        if let body { arguments += ["-H", "content-type: application/json", "--data-binary", body] }
        let result = try runProcess("/usr/bin/env", arguments)
        guard result.status == 0 else { throw TestServerError.control(path) }
        return Data(result.stdout.utf8)
    }

    static let source = #"""
import json, sys, threading, time, socket
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

lock = threading.Lock()
log, script, keys = [], [], {}

def key_json(k):
    return {"$id": k["id"], "$createdAt": "2026-10-24T09:00:00.000+00:00", "$updatedAt": "2026-10-24 09:00:00.123",
            "name": k["name"], "description": k.get("description", ""), "expire": k.get("expire") or "",
            "scopes": k["scopes"], "secret": "standard_" + "ab" * 128, "accessedAt": "", "sdks": []}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass

    def send(self, status, body=None, headers=None, content_type="application/json; charset=UTF-8"):
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items(): self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, type_, message):
        self.send(status, {"message": message, "code": status, "type": type_, "version": "1.9.6"})

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path, _, query = self.path.partition("?")
        if path == "/__script":
            with lock: script.extend(json.loads(body))
            return self.send(200, {})
        if path == "/__log":
            with lock: return self.send(200, list(log))
        if path == "/__reset":
            with lock: log.clear(); script.clear(); keys.clear()
            return self.send(200, {})
        with lock:
            log.append({"method": self.command, "path": path, "query": query, "body": body,
                        "headers": [[k, v] for k, v in self.headers.items()], "port": self.client_address[1]})
            entry = script.pop(0) if script else {}
        if entry.get("delay"): time.sleep(entry["delay"])
        if entry.get("reset"):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.close()
            return
        if entry.get("status"):
            return self.error(entry["status"], "scripted", "scripted failure") if not entry.get("headers") else \
                self.send(entry["status"], {"message": "scripted", "code": entry["status"], "type": "scripted", "version": "1.9.6"}, entry["headers"])
        status, answer, extra = self.route(path, body)
        if entry.get("commit_then"):
            return self.error(entry["commit_then"], "general_server_error", "Server Error")
        if status == 204:
            return self.send(204, None, content_type="text/html; charset=UTF-8")
        self.send(status, answer, extra)

    def route(self, path, body):
        data = json.loads(body) if body else {}
        m = self.command
        if path == "/v1/health/version": return 200, {"version": "1.9.6"}, None
        if path == "/v1/account/sessions/email" and m == "POST":
            if data.get("password") != "right-password":
                return 401, {"message": "Invalid credentials.", "code": 401, "type": "user_invalid_credentials", "version": "1.9.6"}, None
            return 201, {"$id": "s1"}, {"Set-Cookie": "a_session_console=sess-cookie-value; path=/; httponly"}
        base = "/v1/project/keys"
        if path.startswith("/v1/organization/projects/"):
            base = "/v1/organization/projects/" + path.split("/")[4] + "/keys"
        if path == base and m == "GET":
            with lock: items = [key_json(k) for k in keys.values()]
            return 200, {"total": len(items), "keys": items}, None
        if path == base and m == "POST":
            with lock:
                if data["keyId"] in keys:
                    return 409, {"message": "Key already exists.", "code": 409, "type": "key_already_exists", "version": "1.9.6"}, None
                k = {"id": data["keyId"], "name": data["name"], "scopes": data["scopes"], "expire": data.get("expire"),
                     "description": data.get("description", "")}
                keys[k["id"]] = k
            return 201, key_json(k), None
        if path == base + "/ephemeral" and m == "POST":
            k = key_json({"id": "e" * 20, "name": "", "scopes": data["scopes"]})
            k.update({"$createdAt": "2026-10-24 09:00:00.000", "$updatedAt": "2026-10-24 09:00:00.000",
                      "expire": "2026-10-24T10:00:00.000000Z", "secret": "ephemeral_x.y.z"})
            return 201, k, None
        if path.startswith(base + "/"):
            kid = path[len(base) + 1:]
            with lock:
                if kid not in keys:
                    return 404, {"message": "Key not found.", "code": 404, "type": "key_not_found", "version": "1.9.6"}, None
                if m == "GET": return 200, key_json(keys[kid]), None
                if m == "PUT":
                    keys[kid].update({"name": data["name"], "scopes": data["scopes"], "expire": data.get("expire")})
                    if "description" in data: keys[kid]["description"] = data["description"]
                    return 200, key_json(keys[kid]), None
                if m == "DELETE":
                    del keys[kid]
                    return 204, None, None
        return 404, {"message": "Route not found.", "code": 404, "type": "general_route_not_found", "version": "1.9.6"}, None

    do_GET = do_POST = do_PUT = do_DELETE = handle_any

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""#
}

public enum TestServerError: Error {
    case noPort(String)
    case control(String)
    case timedOut(String)
}
