/// The colours of keyflow's text, one per role: what each kind of output looks like on a
/// terminal. `enabled` is decided once, by the shell (`KeyflowCLI/Colour.swift`: a terminal,
/// no `NO_COLOR`, `--color`); renderers only ask for a role. Disabled, every function
/// returns its text unchanged, so piped output never holds an escape code.
public struct Palette: Sendable, Hashable {
    public var enabled: Bool
    public static let plain = Palette(enabled: false)
    public init(enabled: Bool) { self.enabled = enabled }
    /// The same as `init(enabled:)`, as the plan text has always called it.
    public init(colour: Bool) { self.enabled = colour }
    public var colour: Bool { enabled }

    /// A painted text with each escape sequence between the markers a line editor leaves out
    /// when it measures a prompt (\u{1} … \u{2}, readline's and libedit's).
    public static func invisibleEscapes(_ painted: String) -> String {
        var out = String.UnicodeScalarView()
        var inEscape = false
        for c in painted.unicodeScalars {
            if c == "\u{1B}" {
                out.append("\u{1}")
                inEscape = true
            }
            out.append(c)
            if inEscape && c == "m" {
                out.append("\u{2}")
                inEscape = false
            }
        }
        return String(out)
    }

    /// Text in an SGR code (`32` green), reset after it.
    public func wrap(_ code: String, _ s: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    // Plan and run steps (docs/language.md §12.3).
    /// `+` create: green.
    public func add(_ s: String) -> String { wrap("32", s) }
    /// `~` update: yellow.
    public func change(_ s: String) -> String { wrap("33", s) }
    /// `-` delete: red.
    public func remove(_ s: String) -> String { wrap("31", s) }
    /// `↻` rotate: cyan.
    public func rotate(_ s: String) -> String { wrap("36", s) }
    /// `→` a secret delivered: magenta.
    public func deliver(_ s: String) -> String { wrap("35", s) }

    // Diagnostics.
    /// `error:`, a failed step: bold red.
    public func error(_ s: String) -> String { wrap("1;31", s) }
    /// `warning:`: bold yellow.
    public func warning(_ s: String) -> String { wrap("1;33", s) }
    /// `help:`: bold cyan.
    public func help(_ s: String) -> String { wrap("1;36", s) }
    /// `note:`: bold blue.
    public func note(_ s: String) -> String { wrap("1;34", s) }

    // Everything else.
    /// The REPL's prompt: bold blue.
    public func prompt(_ s: String) -> String { wrap("1;34", s) }
    /// A table's heading row, the target line: bold.
    public func bold(_ s: String) -> String { wrap("1", s) }
    /// Times, up-to-date lines, `[project]`: dim.
    public func dim(_ s: String) -> String { wrap("2", s) }
}
