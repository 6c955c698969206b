/// The scope catalogue: every scope a key may hold, the ProjectKeyScopes enum of the official
/// Python SDK 27.0.0 (docs/appwrite-api.md §11), generated into ScopeCatalogue+Data.swift by
/// scripts/gen-scopes.
/// The checker validates scope patterns against it; the sandbox accepts exactly it.
public enum ScopeCatalogue {
    /// Fast membership.
    public static let set: Set<String> = Set(all)

    public static func contains(_ scope: String) -> Bool { set.contains(scope) }
}
