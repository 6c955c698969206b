import Foundation
import KeyflowBasics
import KeyflowClient

/// MessageType of `window/logMessage` (LSP 3.17).
enum MessageType {
    static let error = 1, warning = 2, info = 3, log = 4
}

/// The language server: the lifecycle (`initialize`, `initialized`, `shutdown`, `exit`),
/// the open documents (full sync; ranged changes are applied too), and the dispatch of
/// each request to its feature. Messages are read one at a time on the calling thread, so
/// diagnostics are published in the order of the changes; completion, which may wait for
/// the target's listing, answers from a task of its own and never holds the loop up.
/// Every malformed message or unknown method gets a JSON-RPC error; none ends the server.
public final class LanguageServer: @unchecked Sendable {
    private let reader: FrameReader
    private let writer: FrameWriter
    private let live: LiveNames
    private let lock = NSLock()
    private var documents: [String: TextDocument] = [:]
    private var initialized = false
    private var shutDown = false

    /// `target`: the flags given to `keyflow lsp` (the target of live completion); the
    /// environment supplies the rest as it does for the CLI.
    public init(target: TargetOptions = TargetOptions(), environment: [String: String], input: Int32 = 0, output: Int32 = 1) {
        reader = FrameReader(descriptor: input)
        let writer = FrameWriter(descriptor: output)
        self.writer = writer
        live = LiveNames(options: target, environment: environment) { type, message in
            writer.write(RPC.notification("window/logMessage", .object([("type", .integer(Int64(type))), ("message", .string(message))])))
        }
    }

    /// Serves until `exit` or the end of the input; the process's exit code: 0 after
    /// `shutdown` then `exit`, 1 otherwise (LSP 3.17 "exit").
    public func run() -> Int32 {
        while true {
            switch reader.next() {
            case .end:
                return lock.withLock { shutDown } ? 0 : 1
            case .badHeader(let why):
                writer.write(RPCError.parseError("bad message header: \(why)").encoded)
            case .message(let body):
                switch RPCMessage.decode(body) {
                case .failure(let error): writer.write(error.encoded)
                case .success(.response): break
                case .success(.notification(let method, let params)):
                    if method == "exit" { return lock.withLock { shutDown } ? 0 : 1 }
                    notify(method, params)
                case .success(.request(let id, let method, let params)):
                    request(id, method, params)
                }
            }
        }
    }

    // MARK: - Notifications

    func notify(_ method: String, _ params: JSONValue?) {
        guard lock.withLock({ initialized && !shutDown }) else { return }  // dropped, as the protocol says
        let textDocument = params?["textDocument"]
        guard let uri = textDocument?["uri"]?.stringValue else { return }
        switch method {
        case "textDocument/didOpen":
            guard let text = textDocument?["text"]?.stringValue else { return }
            update(TextDocument(uri: uri, version: Int(textDocument?["version"]?.integerValue ?? 0), text: text))
        case "textDocument/didChange":
            guard let old = lock.withLock({ documents[uri] }), let changes = params?["contentChanges"]?.arrayValue else { return }
            var text = old.text
            for change in changes {
                guard let newText = change["text"]?.stringValue else { continue }
                if let range = change["range"], let start = Position(range["start"]), let end = Position(range["end"]) {
                    let current = TextDocument(uri: uri, version: 0, text: text)
                    var bytes = current.bytes
                    let from = current.offset(of: start), to = max(from, current.offset(of: end))
                    bytes.replaceSubrange(from..<to, with: Array(newText.utf8))
                    text = String(decoding: bytes, as: UTF8.self)
                } else {
                    text = newText
                }
            }
            update(TextDocument(uri: uri, version: Int(textDocument?["version"]?.integerValue ?? Int64(old.version + 1)), text: text))
        case "textDocument/didClose":
            lock.withLock { documents[uri] = nil }
            writer.write(RPC.notification(
                "textDocument/publishDiagnostics", .object([("uri", .string(uri)), ("diagnostics", .array([]))])))
        default:
            break  // didSave, $/ notifications and the like: nothing to do
        }
    }

    func update(_ document: TextDocument) {
        lock.withLock { documents[document.uri] = document }
        writer.write(RPC.notification("textDocument/publishDiagnostics", Diagnostics.publishParams(document)))
    }

    // MARK: - Requests

    func request(_ id: JSONValue, _ method: String, _ params: JSONValue?) {
        let (isInitialized, isShutDown) = lock.withLock { (initialized, shutDown) }
        if method == "initialize" {
            guard !isInitialized else { return reply(.failure(.invalidRequest("initialize was already received", id: id))) }
            lock.withLock { initialized = true }
            return reply(.success(Self.initializeResult), id: id)
        }
        guard isInitialized else { return reply(.failure(.serverNotInitialized(id: id))) }
        guard !isShutDown else { return reply(.failure(.shutDown(id: id))) }
        if method == "shutdown" {
            lock.withLock { shutDown = true }
            return reply(.success(.null), id: id)
        }
        let features: Set<String> = [
            "textDocument/completion", "textDocument/hover", "textDocument/definition", "textDocument/formatting",
            "textDocument/semanticTokens/full",
        ]
        guard features.contains(method) else { return reply(.failure(.methodNotFound(method, id: id))) }
        guard let uri = params?["textDocument"]?["uri"]?.stringValue else {
            return reply(.failure(.invalidParams("\(method) needs textDocument.uri", id: id)))
        }
        guard let document = lock.withLock({ documents[uri] }) else {
            return reply(.failure(.invalidParams("\(uri) is not open: send textDocument/didOpen first", id: id)))
        }
        let position = Position(params?["position"])
        func at(_ answer: (Position) -> JSONValue) {
            guard let position else { return reply(.failure(.invalidParams("\(method) needs a position", id: id))) }
            reply(.success(answer(position)), id: id)
        }
        switch method {
        case "textDocument/hover": at { HoverFeature.hover(document, at: $0) }
        case "textDocument/definition": at { DefinitionFeature.locate(document, at: $0) }
        case "textDocument/formatting": reply(FormattingFeature.format(document, id: id), id: id)
        case "textDocument/semanticTokens/full": reply(.success(SemanticTokensFeature.full(document)), id: id)
        case "textDocument/completion":
            guard let position else { return reply(.failure(.invalidParams("\(method) needs a position", id: id))) }
            let live = self.live, writer = self.writer
            Task {
                let result = await CompletionFeature.complete(document, at: position, live: live)
                writer.write(RPC.response(id: id, result: result))
            }
        default: reply(.failure(.methodNotFound(method, id: id)))
        }
    }

    func reply(_ result: Result<JSONValue, RPCError>, id: JSONValue = .null) {
        switch result {
        case .success(let value): writer.write(RPC.response(id: id, result: value))
        case .failure(let error): writer.write(error.encoded)
        }
    }

    static let initializeResult: JSONValue = .object([
        ("capabilities", .object([
            ("positionEncoding", .string("utf-16")),
            ("textDocumentSync", .object([("openClose", .bool(true)), ("change", .integer(1))])),
            ("completionProvider", .object([("triggerCharacters", .array([".", "\"", "[", " "].map(JSONValue.string)))])),
            ("hoverProvider", .bool(true)),
            ("definitionProvider", .bool(true)),
            ("documentFormattingProvider", .bool(true)),
            ("semanticTokensProvider", .object([("legend", SemanticTokensFeature.legend), ("full", .bool(true))])),
        ])),
        ("serverInfo", .object([("name", .string("keyflow")), ("version", .string(AppwriteClient.sdkVersion))])),
    ])
}
