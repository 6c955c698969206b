import Foundation
import KeyflowLanguage

/// Variables in scope: `let`, `param`, `for` and `as` bindings. A value type: a block works
/// on a copy, so its bindings end with it (docs/language.md §7.13: block-scoped, no reassignment).
public struct Environment: Sendable {
    /// Older bindings, shared by the environments copied from this one until one writes.
    private var settled: [String: Value] = [:]
    /// The latest few bindings (a loop's variable, its body's `let`s): every iteration of
    /// a loop copies the environment and binds, and a short list is cheaper to copy and
    /// extend than a dictionary is to copy and rehash.
    private var recent: [(name: String, value: Value)] = []

    public init() {}

    public var values: [String: Value] {
        var all = settled
        for (name, value) in recent { all[name] = value }
        return all
    }

    public subscript(name: String) -> Value? {
        for binding in recent where binding.name == name { return binding.value }
        return settled[name]
    }

    public mutating func bind(_ name: String, _ value: Value) {
        if let i = recent.firstIndex(where: { $0.name == name }) {
            recent[i].value = value
        } else if recent.count < 8 {
            recent.append((name, value))
        } else {
            for (n, v) in recent { settled[n] = v }
            recent = [(name, value)]
        }
    }

    /// The static types of the bindings, for checking the next chunk against them
    /// (`CheckOptions(predeclared:)`, as the REPL does).
    public var types: [String: ValueType] { values.mapValues(\.valueType) }
}

extension Value {
    /// The checker's type of this value.
    public var valueType: ValueType {
        switch self {
        case .string: .string
        case .int: .int
        case .bool: .bool
        case .duration: .duration
        case .time: .time
        case .expiry: .expiry
        case .scopes: .scopes
        case .list(let items): .list(items.first?.valueType ?? .unknown)
        case .key: .key
        case .secret: .secret
        case .project: .project
        }
    }
}
