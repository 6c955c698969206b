import KeyflowBasics

/// The console login (`POST /account/sessions/email`, project `console`) that stands in
/// for the Appwrite Console: it answers a Session and sets the `a_session_console` cookie;
/// and its logout (`DELETE /account/sessions/current`), which ends the cookie's session.
struct AccountService: Sendable {
    let state: SandboxState
    static let sessionLifetime: Int64 = 365 * 24 * 3600 * 1000

    func createEmailSession(_ request: APIRequest) async throws(APIFailure) -> APIResponse {
        let project = request.projectHeader.flatMap { $0.isEmpty ? nil : $0 } ?? SandboxState.consoleProject
        guard project == SandboxState.consoleProject else { throw .invalidCredentials }
        let body = try request.jsonBody()
        guard let emailValue = body["email"], emailValue != .null else { throw .missingParam("email") }
        guard case .string(let email) = emailValue, email.contains("@"), email.count <= 255 else {
            throw .invalidParam("email", "Value must be a valid email address")
        }
        guard let passwordValue = body["password"], passwordValue != .null else { throw .missingParam("password") }
        guard case .string(let password) = passwordValue, (8...256).contains(password.count) else {
            throw .invalidParam("password", "Password must be between 8 and 256 characters long.")
        }
        guard let user = state.accounts.user(email: email), user.accepts(password: password) else {
            throw .invalidCredentials
        }
        let secret = randomHex(bytes: 64)
        let now = Timestamps.now()
        let session = ConsoleSession(
            id: uniqueID(), userID: user.id, secretHash: ConsoleSession.hash(secret: secret),
            createdAt: now, expire: now + Self.sessionLifetime)
        let accounts = state.accounts
        do {
            try await state.storage.write { db in try Storage.insertSession(db, session) } thenApply: { _ in
                accounts.add(session)
            }
        } catch {
            throw .serverError
        }
        return .json(
            201, Self.render(session, email: user.email),
            headers: [
                ("Set-Cookie", "a_session_console=\(secret); expires=\(Self.cookieDate(session.expire)); path=/; httponly; samesite=Lax")
            ])
    }

    /// Ends the session named by the `a_session_console` cookie: 204, and the cookie no
    /// longer authenticates. Without a live session the caller is a guest, who lacks the
    /// `account` scope (401 `general_unauthorized_scope`), as on a real server.
    func deleteCurrentSession(_ request: APIRequest) async throws(APIFailure) -> APIResponse {
        let now = Timestamps.now()
        guard let cookie = request.cookie("a_session_console"),
            let session = state.accounts.session(secret: cookie, now: now)
        else { throw .missingScope(identity: "User", role: "guests", scope: "account") }
        let accounts = state.accounts
        do {
            try await state.storage.write { db in try Storage.deleteSession(db, id: session.id) } thenApply: { _ in
                accounts.remove(session)
            }
        } catch {
            throw .serverError
        }
        return APIResponse(status: 204, body: .noContent)
    }

    /// The Session model; `secret` stays empty as for client-side logins.
    static func render(_ session: ConsoleSession, email: String) -> String {
        var w = JSONWriter(capacity: 900, style: .server)
        w.raw("{")
        w.key("$id", first: true)
        w.string(session.id)
        for (name, value) in [
            ("$createdAt", Timestamps.format(session.createdAt)), ("$updatedAt", Timestamps.format(session.createdAt)),
            ("userId", session.userID), ("expire", Timestamps.format(session.expire)), ("provider", "email"),
            ("providerUid", email), ("providerAccessToken", ""), ("providerAccessTokenExpiry", ""),
            ("providerRefreshToken", ""), ("ip", "127.0.0.1"), ("osCode", ""), ("osName", ""), ("osVersion", ""),
            ("clientType", ""), ("clientCode", ""), ("clientName", ""), ("clientVersion", ""), ("clientEngine", ""),
            ("clientEngineVersion", ""), ("deviceName", ""), ("deviceBrand", ""), ("deviceModel", ""),
            ("countryCode", "--"), ("countryName", "Unknown"),
        ] {
            w.key(name)
            w.string(value)
        }
        w.key("current")
        w.raw("true")
        w.key("factors")
        w.strings(["password"])
        w.key("secret")
        w.string("")
        w.key("mfaUpdatedAt")
        w.string("")
        w.raw("}")
        return w.text
    }

    /// `Wed, 21 Oct 2026 07:28:00 GMT`
    static func cookieDate(_ ms: Int64) -> String {
        let days = ms / 86_400_000
        let (y, m, d) = CivilCalendar.civilFromDays(Int(days))
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
        let seconds = (ms / 1000) % 86_400
        return "\(weekday), \(CivilCalendar.padded(d, 2)) \(month) \(y) \(CivilCalendar.padded(Int(seconds / 3600), 2)):\(CivilCalendar.padded(Int(seconds / 60 % 60), 2)):\(CivilCalendar.padded(Int(seconds % 60), 2)) GMT"
    }
}
