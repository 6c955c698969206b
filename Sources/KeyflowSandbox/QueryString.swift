import KeyflowBasics

/// The parameters of a raw query string, decoded the way PHP does: `+` is a space,
/// `%XX` escapes are decoded in names and values, and `name[]` / `name[N]` collect into
/// one array (docs/appwrite-api.md §3.2; Hummingbird's `queryParameters` does neither).
struct QueryString: Sendable {
    /// Scalar parameters (the last occurrence wins).
    private(set) var scalars: [String: String] = [:]
    /// Array parameters, in the order they appear.
    private(set) var arrays: [String: [String]] = [:]

    init(_ raw: String?) {
        guard let raw, !raw.isEmpty else { return }
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let eq = pair.firstIndex(of: "=") {
                name = pair[..<eq]
                value = pair[pair.index(after: eq)...]
            } else {
                name = pair
                value = ""
            }
            let key = Self.decode(name)
            let decodedValue = Self.decode(value)
            if let open = key.firstIndex(of: "["), key.hasSuffix("]") {
                let base = String(key[..<open])
                let inner = key[key.index(after: open)..<key.index(before: key.endIndex)]
                if inner.isEmpty || inner.allSatisfy(\.isNumber) {
                    arrays[base, default: []].append(decodedValue)
                    continue
                }
            }
            scalars[key] = decodedValue
        }
    }

    subscript(name: String) -> String? { scalars[name] }

    /// The values of `name[]`, `name[N]`, or a lone `name=…` taken as a one-element array.
    func array(_ name: String) -> [String]? {
        if let values = arrays[name] { return values }
        if let one = scalars[name] { return [one] }
        return nil
    }

    static func decode(_ text: Substring) -> String {
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let c = input[i]
            if c == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if c == UInt8(ascii: "%"), i + 2 < input.count,
                let h = hexDigit(input[i + 1]), let l = hexDigit(input[i + 2])
            {
                bytes.append(h << 4 | l)
                i += 3
                continue
            } else {
                bytes.append(c)
            }
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
