import KeyflowBasics

/// A comment found by the lexer (kept for the formatter).
public struct Comment: Sendable, Hashable {
    /// The text after `#`, without the line break.
    public let text: String
    public let range: SourceRange
}

/// Turns UTF-8 bytes into tokens, one at a time (docs/language.md §3).
///
/// Byte-based: it never iterates `Character`s. Newlines become `.newline` tokens only
/// where they end a statement: not inside `( )` or `[ ]`, not after a binary operator
/// or `,`, not before a line that begins with a clause keyword.
public struct Lexer: Sendable {
    public let file: String
    /// `file`, interned, for the ranges.
    let source: SourceFile
    let bytes: [UInt8]
    let end: Int
    var pos: Int
    var line: Int
    var lineStart: Int
    var depth = 0
    var lastKind: TokenKind = .newline
    /// Diagnostics found so far.
    public private(set) var diagnostics: [Diagnostic] = []
    /// Comments found so far, in source order.
    public private(set) var comments: [Comment] = []
    /// Set when the input ended inside a string literal or an interpolation.
    public private(set) var endedInsideString = false

    /// Lexes a whole buffer.
    public init(bytes: [UInt8], file: String) {
        self.init(bytes: bytes, file: file, source: SourceFile(file), from: 0, to: bytes.count, line: 1, lineStart: 0)
    }

    public init(source: String, file: String) {
        self.init(bytes: Array(source.utf8), file: file)
    }

    /// Lexes `bytes[from..<to]` (used for the expression inside `${ }`).
    init(bytes: [UInt8], file: String, source: SourceFile, from: Int, to: Int, line: Int, lineStart: Int) {
        self.file = file
        self.source = source
        self.bytes = bytes
        self.pos = from
        self.end = to
        self.line = line
        self.lineStart = lineStart
    }

    /// Every token up to and including `.eof` (for tests and dumps).
    public static func tokenize(_ source: String, file: String = "<input>") -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source: source, file: file)
        var tokens: [Token] = []
        while true {
            let t = lexer.next()
            tokens.append(t)
            if t.kind == .eof { break }
        }
        return (tokens, lexer.diagnostics)
    }

    // MARK: - Positions

    var location: SourceLocation { SourceLocation(offset: pos, line: line, column: pos - lineStart + 1) }

    func location(at offset: Int) -> SourceLocation {
        // Only valid for offsets on the current line.
        SourceLocation(offset: offset, line: line, column: offset - lineStart + 1)
    }

    func range(from start: SourceLocation) -> SourceRange { SourceRange(source: source, start: start, end: location) }

    mutating func report(_ d: Diagnostic) { diagnostics.append(d) }

    // MARK: - Tokens

    /// The next token; `.eof` forever at the end.
    public mutating func next() -> Token {
        let t = scan()
        lastKind = t.kind
        return t
    }

    mutating func scan() -> Token {
        while pos < end {
            let c = bytes[pos]
            switch c {
            case 0x20, 0x09, 0x0D:  // space, tab, CR
                pos += 1
            case 0x0A:  // newline
                let start = location
                pos += 1
                line += 1
                lineStart = pos
                if depth > 0 && nextLineStartsStatement() {
                    // An unclosed `(` or `[`: statements never start inside brackets,
                    // so end the statement here rather than swallow the rest of the file.
                    depth = 0
                } else if depth > 0 || lastKind == .newline || lastKind == .lBrace || lastKind.continuesLine
                    || nextLineContinues()
                {
                    continue
                }
                return Token(kind: .newline, range: SourceRange(source: source, start: start, end: SourceLocation(offset: start.offset + 1, line: start.line, column: start.column + 1)))
            case UInt8(ascii: "#"):
                scanComment()
            default:
                return scanToken(c)
            }
        }
        let here = location
        return Token(kind: .eof, range: SourceRange(source: source, start: here, end: here))
    }

    mutating func scanComment() {
        let start = location
        pos += 1
        let textStart = pos
        while pos < end && bytes[pos] != 0x0A { pos += 1 }
        let slice = bytes[textStart..<pos]
        let r = range(from: start)
        if !isValidUTF8(slice) { report(.invalidUTF8(r)) }
        var text = String(decoding: slice, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        comments.append(Comment(text: text, range: r))
    }

    /// Whether the next non-blank, non-comment line begins with a clause keyword, so
    /// the newline just consumed does not end the statement.
    func nextLineContinues() -> Bool {
        var p = pos
        while p < end {
            let c = bytes[p]
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A {
                p += 1
            } else if c == UInt8(ascii: "#") {
                while p < end && bytes[p] != 0x0A { p += 1 }
            } else {
                break
            }
        }
        guard let (word, after) = wordAt(p) else { return false }
        switch word {
        case "scopes", "expire", "description", "name", "id", "grace", "as", "where", "to", "parallel",
            "endpoint", "project", "else":
            return true
        case "secret":
            var q = after
            while q < end && (bytes[q] == 0x20 || bytes[q] == 0x09) { q += 1 }
            return wordAt(q)?.0 == "to"
        default:
            return false
        }
    }

    /// Whether the next non-blank line begins with a statement keyword (other than the
    /// `secret to` clause).
    func nextLineStartsStatement() -> Bool {
        var p = pos
        while p < end && (bytes[p] == 0x20 || bytes[p] == 0x09 || bytes[p] == 0x0D || bytes[p] == 0x0A) { p += 1 }
        guard let (word, after) = wordAt(p), word != "else" else { return false }
        if word == "in" {
            // `in project EXPR { … }`; any other `in` continues an expression.
            var q = after
            while q < end && (bytes[q] == 0x20 || bytes[q] == 0x09) { q += 1 }
            return wordAt(q)?.0 == "project"
        }
        guard Vocabulary.statementKeywords.contains(word) else { return false }
        // `print` of a list item named like a keyword is impossible: keywords are reserved.
        if word == "secret" {
            var q = after
            while q < end && (bytes[q] == 0x20 || bytes[q] == 0x09) { q += 1 }
            return wordAt(q)?.0 != "to"
        }
        // `list` / `show` etc. cannot follow a `.` at line start, so a bare keyword means a statement.
        return true
    }

    /// The identifier-shaped word starting at `p` (only short ones matter here).
    func wordAt(_ p: Int) -> (String, Int)? {
        guard p < end, isIdentStart(bytes[p]) else { return nil }
        var q = p
        while q < end && isIdentPart(bytes[q]) { q += 1 }
        guard q - p <= 16 else { return nil }
        return (String(decoding: bytes[p..<q], as: UTF8.self), q)
    }

    mutating func scanToken(_ c: UInt8) -> Token {
        let start = location
        if isIdentStart(c) { return scanWord(start) }
        if isDigit(c) { return scanNumber(start) }
        pos += 1
        func simple(_ k: TokenKind) -> Token { Token(kind: k, range: range(from: start)) }
        func pair(_ second: UInt8, _ two: TokenKind, _ one: TokenKind) -> Token {
            if pos < end && bytes[pos] == second {
                pos += 1
                return simple(two)
            }
            return simple(one)
        }
        switch c {
        case UInt8(ascii: "\""):
            return scanString(start)
        case UInt8(ascii: "("):
            depth += 1
            return simple(.lParen)
        case UInt8(ascii: ")"):
            depth = max(0, depth - 1)
            return simple(.rParen)
        case UInt8(ascii: "["):
            depth += 1
            return simple(.lBracket)
        case UInt8(ascii: "]"):
            depth = max(0, depth - 1)
            return simple(.rBracket)
        case UInt8(ascii: "{"):
            depth = 0  // braces never appear inside brackets: recover from an unclosed one
            return simple(.lBrace)
        case UInt8(ascii: "}"):
            depth = 0
            return simple(.rBrace)
        case UInt8(ascii: ","): return simple(.comma)
        case UInt8(ascii: ";"): return simple(.semicolon)
        case UInt8(ascii: "."): return simple(.dot)
        case UInt8(ascii: "*"): return simple(.star)
        case UInt8(ascii: "+"): return simple(.plus)
        case UInt8(ascii: "-"): return simple(.minus)
        case UInt8(ascii: "~"): return simple(.tilde)
        case UInt8(ascii: "="): return pair(UInt8(ascii: "="), .equal, .assign)
        case UInt8(ascii: "<"): return pair(UInt8(ascii: "="), .lessEqual, .less)
        case UInt8(ascii: ">"): return pair(UInt8(ascii: "="), .greaterEqual, .greater)
        case UInt8(ascii: "!"):
            if pos < end && bytes[pos] == UInt8(ascii: "=") {
                pos += 1
                return simple(.notEqual)
            }
            report(.unexpectedCharacter("!", range(from: start), help: "use `not` for negation and `!=` for inequality"))
            return simple(.invalid)
        default:
            // One whole UTF-8 sequence (or one bad byte).
            let length = c < 0x80 ? 1 : utf8SequenceLength(at: pos - 1)
            pos = pos - 1 + max(1, length)
            let r = range(from: start)
            if length == 0 {
                report(.invalidUTF8(r))
            } else {
                report(.unexpectedCharacter(String(decoding: bytes[start.offset..<pos], as: UTF8.self), r, help: nil))
            }
            return simple(.invalid)
        }
    }

    mutating func scanWord(_ start: SourceLocation) -> Token {
        while pos < end && isIdentPart(bytes[pos]) { pos += 1 }
        let r = range(from: start)
        if let k = keyword(start.offset..<pos) { return Token(kind: .keyword(k), range: r) }
        let text = String(decoding: bytes[start.offset..<pos], as: UTF8.self)
        return Token(kind: .identifier, range: r, payload: .text(text))
    }

    /// The keyword spelled by `bytes[word]`, if any: compared byte by byte with the
    /// keywords of the same length and first letter, with no String made or hashed (most
    /// words of a script are keywords).
    func keyword(_ word: Range<Int>) -> Keyword? {
        let length = word.count
        guard length > 0, length < Lexer.keywordsByLength.count else { return nil }
        let first = bytes[word.lowerBound]
        candidates: for (spelling, k) in Lexer.keywordsByLength[length] where spelling[0] == first {
            for i in 1..<length where spelling[i] != bytes[word.lowerBound + i] { continue candidates }
            return k
        }
        return nil
    }

    /// Every keyword's UTF-8 spelling, grouped by length.
    static let keywordsByLength: [[([UInt8], Keyword)]] = {
        var table: [[([UInt8], Keyword)]] = []
        for k in Keyword.allCases {
            let spelling = Array(k.rawValue.utf8)
            while table.count <= spelling.count { table.append([]) }
            table[spelling.count].append((spelling, k))
        }
        return table
    }()

    // MARK: - Numbers, durations, timestamps

    mutating func scanNumber(_ start: SourceLocation) -> Token {
        if let ts = scanTimestamp(start) { return ts }
        var total = 0
        var overflow = false
        var sawUnit = false
        var value = 0
        while true {
            value = 0
            let digitsStart = pos
            while pos < end && isDigit(bytes[pos]) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(bytes[pos] - 48))
                overflow = overflow || o1 || o2
                value = a
                pos += 1
            }
            if pos == digitsStart { break }
            guard pos < end, let unit = unitSeconds(bytes[pos]) else {
                if sawUnit {
                    // `1h30` — digits without a unit after a compound duration.
                    while pos < end && isIdentPart(bytes[pos]) { pos += 1 }
                    report(.invalidNumber(range(from: start), help: "every part of a duration needs a unit: s, m, h, d or w"))
                    return Token(kind: .invalid, range: range(from: start))
                }
                break
            }
            pos += 1
            sawUnit = true
            let (m, o1) = value.multipliedReportingOverflow(by: unit)
            let (a, o2) = total.addingReportingOverflow(m)
            overflow = overflow || o1 || o2
            total = a
            if !(pos < end && isDigit(bytes[pos])) { break }
        }
        if pos < end && isIdentPart(bytes[pos]) {
            while pos < end && isIdentPart(bytes[pos]) { pos += 1 }
            report(.invalidNumber(range(from: start), help: "a number is decimal digits; a duration is digits followed by s, m, h, d or w (as in 1h30m)"))
            return Token(kind: .invalid, range: range(from: start))
        }
        let r = range(from: start)
        if overflow {
            report(.numberTooLarge(r))
            return Token(kind: .invalid, range: r)
        }
        return sawUnit ? Token(kind: .duration, range: r, payload: .duration(total)) : Token(kind: .int, range: r, payload: .int(value))
    }

    func unitSeconds(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "s"): 1
        case UInt8(ascii: "m"): 60
        case UInt8(ascii: "h"): 3600
        case UInt8(ascii: "d"): 86400
        case UInt8(ascii: "w"): 604800
        default: nil
        }
    }

    /// `YYYY-MM-DD[THH:MM:SS[.fff][Z|±HH:MM]]`, or nil (nothing consumed) when the
    /// text does not start like a date.
    mutating func scanTimestamp(_ start: SourceLocation) -> Token? {
        let p = pos
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= end else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard isDigit(bytes[i]) else { return nil }
                v = v * 10 + Int(bytes[i] - 48)
            }
            return v
        }
        func byte(_ at: Int) -> UInt8? { at < end ? bytes[at] : nil }
        guard let year = digits(p, 4), byte(p + 4) == UInt8(ascii: "-"), let month = digits(p + 5, 2),
            byte(p + 7) == UInt8(ascii: "-"), let day = digits(p + 8, 2)
        else { return nil }
        var q = p + 10
        var seconds = 0
        var nanos = 0
        var valid = CivilCalendar.isValid(year: year, month: month, day: day)
        if byte(q) == UInt8(ascii: "T") {
            guard let hh = digits(q + 1, 2), byte(q + 3) == UInt8(ascii: ":"), let mm = digits(q + 4, 2),
                byte(q + 6) == UInt8(ascii: ":"), let ss = digits(q + 7, 2)
            else {
                q += 1
                while q < end && (isIdentPart(bytes[q]) || bytes[q] == UInt8(ascii: ":")) { q += 1 }
                pos = q
                report(.invalidTimestamp(range(from: start)))
                return Token(kind: .invalid, range: range(from: start))
            }
            valid = valid && hh < 24 && mm < 60 && ss < 61
            seconds = hh * 3600 + mm * 60 + ss
            q += 9
            if byte(q) == UInt8(ascii: ".") {
                q += 1
                var n = 0
                var scale = 100_000_000
                let fracStart = q
                while q < end && isDigit(bytes[q]) {
                    n += Int(bytes[q] - 48) * scale
                    scale /= 10
                    q += 1
                }
                valid = valid && q > fracStart && q - fracStart <= 9
                nanos = n
            }
            if byte(q) == UInt8(ascii: "Z") {
                q += 1
            } else if byte(q) == UInt8(ascii: "+") || byte(q) == UInt8(ascii: "-") {
                let sign = byte(q) == UInt8(ascii: "+") ? 1 : -1
                if let oh = digits(q + 1, 2), byte(q + 3) == UInt8(ascii: ":"), let om = digits(q + 4, 2) {
                    valid = valid && oh < 24 && om < 60
                    seconds -= sign * (oh * 3600 + om * 60)
                    q += 6
                } else {
                    valid = false
                    q += 1
                }
            }
        }
        if q < end && (isIdentPart(bytes[q]) || bytes[q] == UInt8(ascii: ":")) {
            while q < end && (isIdentPart(bytes[q]) || bytes[q] == UInt8(ascii: ":")) { q += 1 }
            valid = false
        }
        pos = q
        let r = range(from: start)
        guard valid else {
            report(.invalidTimestamp(r))
            return Token(kind: .invalid, range: r)
        }
        let epoch = CivilCalendar.daysFromCivil(year: year, month: month, day: day) * 86400 + seconds
        return Token(kind: .timestamp, range: r, payload: .timestamp(Timestamp(secondsSince1970: epoch, nanoseconds: nanos)))
    }

    // MARK: - Strings

    /// After the opening quote: text, escapes and `${expr}` up to the closing quote.
    mutating func scanString(_ start: SourceLocation) -> Token {
        var parts: [StringTokenPart] = []
        var buffer: [UInt8] = []
        var textStart = location
        var hadError = false
        func flush(_ lexer: inout Lexer) {
            if !buffer.isEmpty {
                let r = lexer.range(from: textStart)
                if !isValidUTF8(buffer[...]) {
                    lexer.report(.invalidUTF8(r))
                    hadError = true
                }
                parts.append(.text(String(decoding: buffer, as: UTF8.self), r))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        while true {
            guard pos < end, bytes[pos] != 0x0A else {
                flush(&self)
                if pos >= end { endedInsideString = true }
                report(.unterminatedString(range(from: start)))
                return Token(kind: .invalid, range: range(from: start))
            }
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                flush(&self)
                pos += 1
                break
            } else if c == UInt8(ascii: "\\") {
                let escStart = location
                pos += 1
                guard pos < end, bytes[pos] != 0x0A else { continue }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): buffer.append(e)
                case UInt8(ascii: "\\"): buffer.append(e)
                case UInt8(ascii: "$"): buffer.append(e)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    if let scalar = scanUnicodeEscape() {
                        buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
                    } else {
                        hadError = true
                        report(.badEscape(range(from: escStart), help: "write a Unicode escape as \\u{1F511}: 1 to 6 hex digits of a valid scalar"))
                    }
                default:
                    hadError = true
                    if e >= 0x80 { pos = escStart.offset + 1 + max(1, utf8SequenceLength(at: escStart.offset + 1)) }
                    report(.badEscape(range(from: escStart), help: "the escapes are \\\" \\\\ \\n \\t \\$ and \\u{...}"))
                }
            } else if c == UInt8(ascii: "$") && pos + 1 < end && bytes[pos + 1] == UInt8(ascii: "{") {
                flush(&self)
                let interpStart = location
                pos += 2
                let innerStart = location
                // Find the matching `}`, skipping nested braces and strings.
                var braces = 0
                var inString = false
                var closed = false
                while pos < end && bytes[pos] != 0x0A {
                    let d = bytes[pos]
                    if inString {
                        if d == UInt8(ascii: "\\") { pos += 1 } else if d == UInt8(ascii: "\"") { inString = false }
                    } else if d == UInt8(ascii: "\"") {
                        inString = true
                    } else if d == UInt8(ascii: "{") {
                        braces += 1
                    } else if d == UInt8(ascii: "}") {
                        if braces == 0 {
                            closed = true
                            break
                        }
                        braces -= 1
                    }
                    pos += 1
                }
                if pos > end { pos = end }
                guard closed else {
                    if pos >= end { endedInsideString = true }
                    report(.unterminatedInterpolation(range(from: interpStart)))
                    return Token(kind: .invalid, range: range(from: start))
                }
                let inner = range(from: innerStart)
                pos += 1
                parts.append(.interpolation(inner: inner, whole: range(from: interpStart)))
                textStart = location
            } else {
                if buffer.isEmpty { textStart = location }
                buffer.append(c)
                pos += 1
            }
        }
        let r = range(from: start)
        if hadError { return Token(kind: .invalid, range: r) }
        return Token(kind: .string, range: r, payload: .string(parts))
    }

    /// After `\u`: `{HEX}` with 1–6 digits naming a valid scalar.
    mutating func scanUnicodeEscape() -> Unicode.Scalar? {
        guard pos < end, bytes[pos] == UInt8(ascii: "{") else { return nil }
        pos += 1
        var value: UInt32 = 0
        var count = 0
        while pos < end, let h = hexDigit(bytes[pos]) {
            if count < 8 { value = value * 16 + UInt32(h) }
            count += 1
            pos += 1
        }
        guard pos < end, bytes[pos] == UInt8(ascii: "}") else { return nil }
        pos += 1
        guard (1...6).contains(count) else { return nil }
        return Unicode.Scalar(value)
    }

    // MARK: - UTF-8

    /// Length of the valid UTF-8 sequence at `p`, or 0 when it is not valid.
    func utf8SequenceLength(at p: Int) -> Int {
        let b0 = bytes[p]
        let n: Int
        switch b0 {
        case 0xC2...0xDF: n = 2
        case 0xE0...0xEF: n = 3
        case 0xF0...0xF4: n = 4
        default: return 0
        }
        guard p + n <= end else { return 0 }
        return isValidUTF8(bytes[p..<(p + n)]) ? n : 0
    }
}

func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
    var ascii = true
    for b in bytes where b >= 0x80 {
        ascii = false
        break
    }
    if ascii { return true }
    var it = bytes.makeIterator()
    var decoder = UTF8()
    while true {
        switch decoder.decode(&it) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}

@inline(__always) func isIdentStart(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F
}

@inline(__always) func isIdentPart(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
