/// The scope catalogue: every scope a key may hold (../shared/data/scopes.txt).
/// The checker validates scope patterns against it; the sandbox accepts exactly it.
public enum ScopeCatalogue {
    /// Fast membership.
    public static let set: Set<String> = Set(all)

    public static func contains(_ scope: String) -> Bool { set.contains(scope) }
}
