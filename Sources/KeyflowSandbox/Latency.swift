import HTTPTypes
import Hummingbird
import NIOCore

/// `--latency DURATION` and the request counter (docs/appwrite-api.md §12): a Hummingbird
/// middleware in front of every route. It counts each request it serves and, with a
/// latency, answers it that much later — an awaited `Task.sleep`, so no thread waits and
/// the requests in flight are delayed side by side, as over a slow network.
///
/// `GET /_sandbox/requests` answers `{"served": N, "GET": n, …}`: the requests served since
/// start, by method. It is neither delayed nor counted, so a benchmark can read it before
/// and after a workload and report the workload's round trips.
struct LatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let delay: Duration
    let counter: RequestCounter

    static var counterPath: String { "/_sandbox/requests" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get && request.uri.path == Self.counterPath {
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=UTF-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: counter.json)))
        }
        counter.count(request.method.rawValue)
        if delay > .zero { try? await Task.sleep(for: delay) }
        return try await next(request, context)
    }
}

/// The requests served, by method.
final class RequestCounter: Sendable {
    private let counts = Locked<[String: Int]>([:])

    func count(_ method: String) { counts.withLock { $0[method, default: 0] += 1 } }

    var json: String {
        let snapshot = counts.withLock { $0 }
        let total = snapshot.values.reduce(0, +)
        let methods = snapshot.keys.sorted().map { ",\"\($0)\":\(snapshot[$0]!)" }.joined()
        return "{\"served\":\(total)\(methods)}"
    }
}

/// A responder behind a middleware (Hummingbird's own `MiddlewareResponder` is internal).
struct MiddlewareStack<Middleware: RouterMiddleware, Next: HTTPResponder>: HTTPResponder
where Middleware.Context == Next.Context {
    let middleware: Middleware
    let next: Next

    func respond(to request: Request, context: Next.Context) async throws -> Response {
        try await middleware.handle(request, context: context) { request, context in
            try await next.respond(to: request, context: context)
        }
    }
}
