/// The static types of the language (docs/language.md §4). `unknown` is what the checker
/// cannot know without the network or after an earlier error; it is compatible with
/// everything so one mistake is reported once.
public indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
    case string, int, bool, duration, time
    /// `never`, a time, or `in DURATION`.
    case expiry
    case scopes
    case list(ValueType)
    case key
    /// A project of the organization (`projects`, docs/language.md §4.5).
    case project
    case secret
    case unknown

    public var description: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .bool: "bool"
        case .duration: "duration"
        case .time: "time"
        case .expiry: "expiry"
        case .scopes: "scopes"
        case .list(let t): t == .unknown ? "list" : "list of \(t)"
        case .key: "key"
        case .project: "project"
        case .secret: "secret"
        case .unknown: "unknown"
        }
    }

    /// Whether a value of this type may stand where `expected` is needed.
    public func conforms(to expected: ValueType) -> Bool {
        switch (self, expected) {
        case (.unknown, _), (_, .unknown): true
        case (.time, .expiry): true
        case (.list(let a), .list(let b)): a.conforms(to: b)
        default: self == expected
        }
    }

    /// The type of a field of a key value.
    public static func keyField(_ name: String) -> ValueType? {
        switch name {
        case "id", "name", "description": .string
        case "scopes": .scopes
        case "expire", "accessed": .expiry
        case "created", "updated": .time
        case "secret": .secret
        default: nil
        }
    }

    /// The type of a field of a project value.
    public static func projectField(_ name: String) -> ValueType? {
        switch name {
        case "id", "name": .string
        case "created", "updated": .time
        default: nil
        }
    }
}
