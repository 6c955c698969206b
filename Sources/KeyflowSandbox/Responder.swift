import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The request context: Hummingbird's core storage plus the connection, so that
/// `--chaos reset` can drop it without answering.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Hummingbird's view of the sandbox: copies the request's method, path, raw query, the
/// headers that matter and the body (at most 1 MiB) into an APIRequest, and the
/// dispatcher's answer back into a Response.
struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxRequestContext
    static let maxBodyBytes = 1 << 20

    let dispatcher: Dispatcher

    private enum Names {
        static let project = HTTPField.Name("X-Appwrite-Project")!
        static let key = HTTPField.Name("X-Appwrite-Key")!
        static let organization = HTTPField.Name("X-Appwrite-Organization")!
        static let mode = HTTPField.Name("X-Appwrite-Mode")!
        static let sdkName = HTTPField.Name("x-sdk-name")!
        static let host = HTTPField.Name("Host")!
        static let retryAfter = HTTPField.Name("Retry-After")!
        static let setCookie = HTTPField.Name("Set-Cookie")!
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        var bytes: [UInt8] = []
        if request.method == .post || request.method == .put || request.method == .delete || request.method == .patch {
            do {
                let buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
                bytes = Array(buffer.readableBytesView)
            } catch {
                return Self.response(.failure(.bodyTooLarge, version: SandboxState.version))
            }
        }
        let apiRequest = APIRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
            projectHeader: request.headers[Names.project], keyHeader: request.headers[Names.key],
            organizationHeader: request.headers[Names.organization],
            modeHeader: request.headers[Names.mode], cookieHeader: request.headers[.cookie],
            sdkName: request.headers[Names.sdkName],
            host: request.headers[Names.host] ?? request.head.authority, body: bytes)
        let answer = await dispatcher.respond(apiRequest)
        if answer.reset {
            // Abortive close (RST), no answer at all.
            let channel = context.channel
            if let socket = channel as? any SocketOptionProvider {
                try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            }
            try? await channel.close()
        }
        return Self.response(answer)
    }

    static func response(_ answer: APIResponse) -> Response {
        var headers = HTTPFields()
        let body: ResponseBody
        switch answer.body {
        case .json(let text):
            headers[.contentType] = "application/json; charset=UTF-8"
            body = ResponseBody(byteBuffer: ByteBuffer(string: text))
        case .noContent:
            headers[.contentType] = "text/html; charset=UTF-8"
            body = ResponseBody()
        }
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: body)
    }
}
