import KeyflowBasics

/// Whether keyflow's text is coloured: the one place that decides (`--color`, a terminal,
/// `NO_COLOR`, `TERM=dumb`). Renderers get a `Palette` and never ask themselves.
public enum ColourChoice: String, CaseIterable, Sendable {
    /// On a terminal only, and not with `NO_COLOR` set (to anything but "") or `TERM=dumb`.
    case auto
    /// Always, through pipes too (`--color always`, the command line's explicit word,
    /// outranks `NO_COLOR` as https://no-color.org asks).
    case always
    /// Never.
    case never

    /// The palette for a stream.
    public func palette(isTerminal: Bool, environment: [String: String]) -> Palette {
        switch self {
        case .always: return Palette(enabled: true)
        case .never: return .plain
        case .auto:
            let noColour = !(environment["NO_COLOR"] ?? "").isEmpty
            return Palette(enabled: isTerminal && !noColour && environment["TERM"] != "dumb")
        }
    }
}
