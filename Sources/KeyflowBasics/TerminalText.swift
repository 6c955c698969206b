/// Text from an untrusted source (a script, a server's answer) made fit for a terminal.
/// Byte-level and allocation-light: the diagnostic renderer calls these for every
/// diagnostic, and a garbled script has a hundred of them.
public enum TerminalText {
    /// `bytes` as text safe to print: control characters (but tab) shown as U+FFFD, invalid
    /// UTF-8 repaired. Done byte by byte: a control character is one byte in UTF-8 and is
    /// never part of another character's encoding.
    public static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        if !bytes.contains(where: isControl) { return String(decoding: bytes, as: UTF8.self) }
        var shown: [UInt8] = []
        shown.reserveCapacity(bytes.count + 16)
        for b in bytes {
            if isControl(b) { shown += [0xEF, 0xBF, 0xBD] } else { shown.append(b) }
        }
        return String(decoding: shown, as: UTF8.self)
    }

    /// Whether a byte is a control character `printable` replaces.
    public static func isControl(_ b: UInt8) -> Bool { (b < 0x20 && b != 0x09) || b == 0x7F }

    /// `text` with every character but a tab replaced by a space: what lines a caret up
    /// under a character of `text`'s line.
    public static func blanked(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: text.utf8.map { $0 == 0x09 ? 0x09 : 0x20 }, as: UTF8.self)
        }
        var blanks: [UInt8] = []
        for c in text { blanks.append(c == "\t" ? 0x09 : 0x20) }
        return String(decoding: blanks, as: UTF8.self)
    }
}
