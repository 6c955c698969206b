import CCurl
import Foundation

/// The transport: one thread owns a libcurl multi handle and drives every transfer of
/// the process. Async callers enqueue a transfer under a lock and wake the thread with
/// `curl_multi_wakeup`; the thread runs `curl_multi_perform` + `curl_multi_poll` and
/// resumes each caller's continuation when `curl_multi_info_read` reports its transfer
/// done. The multi handle's connection cache keeps connections alive across requests
/// (and easy handles are pooled), so sequential calls reuse one connection and
/// concurrent calls run side by side. Cancelling the calling task aborts its transfer.
///
/// Proxies come from the environment, as libcurl reads them (`http_proxy`,
/// `HTTPS_PROXY`/`https_proxy`, `ALL_PROXY`, `NO_PROXY`).
final class CurlEngine: @unchecked Sendable {
    /// The process-wide engine, or why there is none (libcurl is loaded at run time, and
    /// that can fail). Loading libcurl and `curl_global_init` run once, here, unless
    /// `preload` has begun them already.
    static let shared: Result<CurlEngine, APIError> = {
        if let failure = kf_curl_ready() {
            return .failure(.transport(code: Int(CURLE_FAILED_INIT.rawValue), message: String(cString: failure)))
        }
        guard let multi = kf_multi_init() else {
            return .failure(.transport(code: Int(CURLE_FAILED_INIT.rawValue), message: "libcurl could not create a multi handle"))
        }
        return .success(CurlEngine(multi))
    }()

    /// Starts loading libcurl on a thread of its own (see CCurl's shim.h); exit waits for it.
    static func preload() { kf_curl_preload() }

    private let multi: OpaquePointer
    private let lock = NSLock()
    // Guarded by `lock`:
    private var incoming: [Transfer] = []
    private var cancelling: [Transfer] = []
    // Owned by the engine thread:
    private var active: [OpaquePointer: Transfer] = [:]
    private var idleHandles: [OpaquePointer] = []

    private init(_ multi: OpaquePointer) {
        self.multi = multi
        // Keep a few connections per host so that 8+ concurrent transfers do not churn.
        _ = kf_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
        let thread = Thread { [unowned self] in self.runLoop() }
        thread.name = "keyflow-curl"
        thread.start()
    }

    /// Sends one request and waits for the complete response.
    /// Transport failures and cancellation come back as `.failure`.
    func send(_ request: HTTPRequest) async -> Result<HTTPResponse, APIError> {
        let transfer = Transfer(request)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, APIError>, Never>) in
                lock.lock()
                transfer.continuation = continuation
                if transfer.cancelRequested {
                    lock.unlock()
                    transfer.finish(.failure(.cancelled))
                    return
                }
                incoming.append(transfer)
                lock.unlock()
                kf_multi_wakeup(multi)
            }
        } onCancel: {
            lock.lock()
            transfer.cancelRequested = true
            let queued = transfer.continuation != nil
            if queued { cancelling.append(transfer) }
            lock.unlock()
            if queued { kf_multi_wakeup(multi) }
        }
    }

    // MARK: The engine thread

    private func runLoop() {
        while true {
            lock.lock()
            let starting = incoming
            let stopping = cancelling
            incoming.removeAll(keepingCapacity: true)
            cancelling.removeAll(keepingCapacity: true)
            lock.unlock()

            for transfer in starting { start(transfer) }
            for transfer in stopping { abort(transfer) }

            var running: Int32 = 0
            kf_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = kf_multi_info_read(multi, &remaining) {
                guard kf_msg_is_done(message) != 0, let easy = message.pointee.easy_handle else { continue }
                complete(easy, result: kf_msg_result(message))
            }
            kf_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func start(_ transfer: Transfer) {
        if transfer.isFinished { return }
        let easy: OpaquePointer
        if let reused = idleHandles.popLast() {
            kf_easy_reset(reused)
            easy = reused
        } else if let fresh = kf_easy_init() {
            easy = fresh
        } else {
            transfer.finish(.failure(.transport(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "could not create a transfer")))
            return
        }
        transfer.configure(easy)
        active[easy] = transfer
        kf_multi_add_handle(multi, easy)
    }

    private func abort(_ transfer: Transfer) {
        guard let easy = transfer.easy, active[easy] != nil else {
            // Not started yet (it is finished before `start` sees it) or already done.
            transfer.finish(.failure(.cancelled))
            return
        }
        detach(easy, reusable: false)
        transfer.finish(.failure(.cancelled))
    }

    private func complete(_ easy: OpaquePointer, result: CURLcode) {
        guard let transfer = active[easy] else { return }
        let outcome: Result<HTTPResponse, APIError>
        if result == CURLE_OK {
            var status = 0
            _ = kf_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            outcome = .success(HTTPResponse(status: status, rawHeaders: transfer.responseHeaders, body: transfer.responseBody))
        } else {
            outcome = .failure(.transport(code: Int(result.rawValue), message: transfer.errorMessage(result)))
        }
        detach(easy, reusable: true)
        transfer.finish(outcome)
    }

    private func detach(_ easy: OpaquePointer, reusable: Bool) {
        kf_multi_remove_handle(multi, easy)
        active[easy]?.release()
        active[easy] = nil
        if reusable && idleHandles.count < 64 {
            idleHandles.append(easy)
        } else {
            kf_easy_cleanup(easy)
        }
    }
}

/// The state of one transfer. Its fields belong to the engine thread, except
/// `continuation` and `cancelRequested`, which are guarded by the engine's lock.
private final class Transfer: @unchecked Sendable {
    let request: HTTPRequest
    var continuation: CheckedContinuation<Result<HTTPResponse, APIError>, Never>?
    var cancelRequested = false
    private(set) var isFinished = false
    private(set) var easy: OpaquePointer?
    var responseBody: [UInt8] = []
    var responseHeaders: [UInt8] = []
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(_ request: HTTPRequest) {
        self.request = request
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
        if let headerList { kf_slist_free_all(headerList) }
    }

    func configure(_ easy: OpaquePointer) {
        self.easy = easy
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = kf_easy_setopt_string(easy, CURLOPT_URL, request.url)
        _ = kf_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = kf_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, request.connectTimeout.milliseconds))
        _ = kf_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, request.totalTimeout.milliseconds))
        _ = kf_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        _ = kf_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = kf_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody)
        _ = kf_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)
        _ = kf_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        _ = kf_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
        if request.insecure {
            _ = kf_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
            _ = kf_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        }

        var list: UnsafeMutablePointer<curl_slist>?
        // libcurl would add `Expect: 100-continue` to larger bodies; Appwrite's SDKs do not.
        for line in request.headers + ["Expect:"] { list = kf_slist_append(list, line) }
        headerList = list
        _ = kf_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)

        switch request.method {
        case .get:
            _ = kf_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case .post, .put, .delete:
            if request.method != .post {
                _ = kf_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            }
            let body = request.body ?? []
            _ = kf_easy_setopt_long(easy, CURLOPT_POST, 1)
            _ = kf_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, body.count)
            // COPYPOSTFIELDS copies the bytes: the array need not outlive this call.
            if body.isEmpty {
                _ = kf_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBytes { bytes in
                    _ = kf_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress!))
                }
            }
        }
    }

    func errorMessage(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: kf_easy_strerror(code)) : detail
    }

    /// Drops what only the live transfer needed.
    func release() {
        if let headerList { kf_slist_free_all(headerList) }
        headerList = nil
        easy = nil
    }

    /// Resumes the caller exactly once.
    func finish(_ result: Result<HTTPResponse, APIError>) {
        if isFinished { return }
        isFinished = true
        continuation?.resume(returning: result)
        continuation = nil
    }

    fileprivate func appendHeader(_ line: UnsafeBufferPointer<UInt8>) {
        // A status line starts a new response (after 100-continue or a redirect).
        if line.starts(with: "HTTP/".utf8) {
            responseHeaders.removeAll(keepingCapacity: true)
            return
        }
        responseHeaders.append(contentsOf: line)
        if let length = Self.contentLength(line), length > responseBody.capacity, length <= 64 << 20 {
            responseBody.reserveCapacity(length)  // a 2,000-key list is 1.5 MB: no regrowth
        }
    }

    /// The value of a `Content-Length` header line, if `line` is one.
    private static func contentLength(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        let name = "content-length:".utf8
        guard line.count > name.count, zip(line, name).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) else { return nil }
        var value = 0
        var digits = 0
        for byte in line.dropFirst(name.count) where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") {
            guard (48...57).contains(byte), digits < 12 else { return nil }
            value = value * 10 + Int(byte - 48)
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}

private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.responseBody.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.appendHeader(UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}
