import KeyflowBasics

/// JSON-RPC 2.0 as LSP uses it: requests (with an id), notifications (without) and the
/// responses the server sends back, built on KeyflowBasics' `JSONValue`.
public enum RPCMessage: Sendable, Equatable {
    case request(id: JSONValue, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    /// A response to a request the server sent (none is awaited today; it is ignored).
    case response(id: JSONValue)

    /// Decodes one message body, or the error to answer with (id null when none was read).
    public static func decode(_ body: [UInt8]) -> Result<RPCMessage, RPCError> {
        guard let value = JSONValue.parse(body) else { return .failure(.parseError("the message is not valid JSON")) }
        guard case .object = value else { return .failure(.invalidRequest("a message must be a JSON object", id: .null)) }
        let id = value["id"]
        if let id, !(id.isValidID) { return .failure(.invalidRequest("`id` must be a number or a string", id: .null)) }
        guard let methodValue = value["method"] else {
            if let id, value["result"] != nil || value["error"] != nil { return .success(.response(id: id)) }
            return .failure(.invalidRequest("a request needs a `method`", id: id ?? .null))
        }
        guard let method = methodValue.stringValue else { return .failure(.invalidRequest("`method` must be a string", id: id ?? .null)) }
        let params = value["params"]
        if let params {
            switch params {
            case .object, .array: break
            default: return .failure(.invalidRequest("`params` must be an object or an array", id: id ?? .null))
            }
        }
        if let id { return .success(.request(id: id, method: method, params: params)) }
        return .success(.notification(method: method, params: params))
    }
}

extension JSONValue {
    var isValidID: Bool {
        switch self {
        case .integer, .string: true
        case .number(let d): d.rounded() == d
        default: false
        }
    }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

/// An error response (JSON-RPC 2.0 §5.1 codes and LSP's own).
public struct RPCError: Error, Sendable, Equatable {
    public let code: Int
    public let message: String
    /// The request it answers (null when the request could not be read).
    public let id: JSONValue

    public init(code: Int, message: String, id: JSONValue = .null) {
        self.code = code
        self.message = message
        self.id = id
    }

    public static func parseError(_ message: String) -> RPCError { RPCError(code: -32700, message: message) }
    public static func invalidRequest(_ message: String, id: JSONValue) -> RPCError { RPCError(code: -32600, message: message, id: id) }
    public static func methodNotFound(_ method: String, id: JSONValue) -> RPCError {
        RPCError(code: -32601, message: "unknown method \(method)", id: id)
    }
    public static func invalidParams(_ message: String, id: JSONValue) -> RPCError { RPCError(code: -32602, message: message, id: id) }
    /// LSP: a request before `initialize`.
    public static func serverNotInitialized(id: JSONValue) -> RPCError {
        RPCError(code: -32002, message: "the server is not initialized: send initialize first", id: id)
    }
    /// LSP: a request after `shutdown`.
    public static func shutDown(id: JSONValue) -> RPCError {
        RPCError(code: -32600, message: "the server is shut down: only exit is accepted", id: id)
    }
    /// LSP: the request failed for a reason the client cannot fix by resending it.
    public static func requestFailed(_ message: String, id: JSONValue) -> RPCError { RPCError(code: -32803, message: message, id: id) }
    public func with(id: JSONValue) -> RPCError { RPCError(code: code, message: message, id: id) }

    /// The response body.
    public var encoded: String {
        JSONValue.object([
            ("jsonrpc", .string("2.0")), ("id", id),
            ("error", .object([("code", .integer(Int64(code))), ("message", .string(message))])),
        ]).encoded()
    }
}

enum RPC {
    static func response(id: JSONValue, result: JSONValue) -> String {
        JSONValue.object([("jsonrpc", .string("2.0")), ("id", id), ("result", result)]).encoded()
    }

    static func notification(_ method: String, _ params: JSONValue) -> String {
        JSONValue.object([("jsonrpc", .string("2.0")), ("method", .string(method)), ("params", params)]).encoded()
    }
}
