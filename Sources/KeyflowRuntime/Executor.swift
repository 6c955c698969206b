import Foundation
import KeyflowClient
import KeyflowLanguage

/// Why a step failed. Messages never contain a secret (API errors carry none; sink
/// errors scrub command output).
public enum StepError: Error, Sendable, CustomStringConvertible {
    case api(APIError, during: String)
    case sink(SinkError, note: String?)

    public var description: String {
        switch self {
        case .api(let e, let during): "\(during): \(e)"
        case .sink(let e, let note): "secret to \(e)" + (note.map { " (\($0))" } ?? "")
        }
    }

    public var apiError: APIError? {
        if case .api(let e, _) = self { return e }
        return nil
    }
}

/// Executes one step: against the Keys API when running, against the in-memory copy when
/// planning (sinks untouched), and keeps the run's key cache current.
public struct Executor: Sendable {
    public let mode: Mode
    public let api: any KeysAPI
    public let sinks: SinkWriter
    public let cache: KeyCache

    public init(mode: Mode, api: any KeysAPI, sinks: SinkWriter, cache: KeyCache) {
        self.mode = mode
        self.api = api
        self.sinks = sinks
        self.cache = cache
    }

    public func perform(_ step: Step) async throws(StepError) -> StepResult {
        switch step.action {
        case .create(let id, let fields):
            let key: Key
            do {
                key = try await api.createKey(id: id, fields: fields)
            } catch {
                throw .api(error, during: "creating \(Format.quoted(fields.name))")
            }
            cache.store(key)
            return .key(key)
        case .update(let before, let fields):
            let key: Key
            do {
                key = try await api.replaceKey(id: before.id, fields: fields)
            } catch {
                throw .api(error, during: "updating \(Format.quoted(before.name)) (\(before.id))")
            }
            cache.store(key)
            return .key(key)
        case .delete(let key):
            do {
                try await api.deleteKey(id: key.id)
            } catch {
                throw .api(error, during: "deleting \(Format.quoted(key.name)) (\(key.id))")
            }
            cache.remove(id: key.id)
            return .deleted
        case .ephemeral(let scopes, let seconds):
            do {
                return .key(try await api.createEphemeralKey(scopes: scopes, duration: seconds))
            } catch {
                throw .api(error, during: "minting an ephemeral key")
            }
        case .deliver(let key, let sink):
            if mode == .plan { return .delivered }
            do {
                try await sinks.deliver(key.secret, to: sink, keyID: key.id, keyName: key.name)
            } catch {
                throw .sink(error, note: nil)
            }
            return .delivered
        case .rotate(let request):
            return try await Rotation.execute(request, mode: mode, api: api, sinks: sinks, cache: cache)
        }
    }
}
