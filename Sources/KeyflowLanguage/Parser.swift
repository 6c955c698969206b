import KeyflowBasics

/// Why a parse stopped short: the input ended where more was expected. The REPL reads
/// another line instead of reporting an error.
public enum Incompleteness: String, Sendable, Hashable {
    /// Inside `(` or `[`.
    case openBracket
    /// Inside `{` of a `for` or `if` body.
    case openBlock
    /// Inside a string literal or a `${` interpolation.
    case openString
    /// After an operator, `,`, a clause keyword or a statement keyword that needs more.
    case continuingClause
}

/// The outcome of parsing: a program (possibly partial), every diagnostic, and whether
/// the input merely ended too early.
public struct ParseResult: Sendable {
    public let program: Program
    public let diagnostics: [Diagnostic]
    /// Non-nil when the only problem is that the input ended inside an open construct.
    public let incomplete: Incompleteness?

    public var hasErrors: Bool { diagnostics.contains { $0.isError } }
}

struct SyntaxError: Error {
    let diagnostic: Diagnostic
}

/// Recursive descent over the grammar in grammar/keyflow.ebnf: one `parseX()` per rule,
/// carrying the rule as its comment. Recovers at statement boundaries so one run
/// reports every syntax error.
public struct Parser {
    var lexer: Lexer
    var current: Token
    var lookahead: [Token] = []
    var previousEnd: SourceLocation
    /// The token before `current` (for the diagnostics of the common mistakes: `90 days`).
    var previousToken: Token?
    var diagnostics: [Diagnostic] = []
    var depth: Int
    var blockDepth = 0
    var firstErrorAtEnd: Incompleteness?
    var sawNonEndError = false

    /// Deepest nesting of brackets, blocks and operators the parser accepts.
    public static let maxDepth = 100
    /// How many `parseExpr` calls are under way (1: the outermost expression of a clause).
    var expressionNesting = 0
    /// The deepest expression tree a script may hold (chains of operators and members).
    public static let maxExpressionHeight = 256

    init(lexer: Lexer, depth: Int = 0) {
        self.lexer = lexer
        self.current = self.lexer.next()
        self.previousEnd = current.range.start
        self.depth = depth
    }

    // MARK: - Public entry points

    public static func parse(source: String, file: String) -> ParseResult {
        parse(bytes: Array(source.utf8), file: file)
    }

    public static func parse(bytes: [UInt8], file: String) -> ParseResult {
        guard bytes.count <= SourceLimits.maxScriptBytes else {
            let start = SourceLocation(offset: 0, line: 1, column: 1)
            let range = SourceRange(file: file, start: start, end: start)
            return ParseResult(program: Program(statements: [], range: range), diagnostics: [.scriptTooLarge(bytes.count, range)], incomplete: nil)
        }
        var parser = Parser(lexer: Lexer(bytes: bytes, file: file))
        let program = parser.parseProgram()
        let all = (parser.lexer.diagnostics + parser.diagnostics).sorted { $0.range.start < $1.range.start }
        var incomplete: Incompleteness? = nil
        if parser.lexer.endedInsideString && !parser.sawNonEndError
            && !parser.lexer.diagnostics.contains(where: { !($0.id == "unterminated-string" || $0.id == "unterminated-interpolation") })
        {
            incomplete = .openString
        } else if parser.lexer.diagnostics.isEmpty && !parser.sawNonEndError {
            incomplete = parser.firstErrorAtEnd
        }
        return ParseResult(program: program, diagnostics: Diagnostic.limited(all), incomplete: incomplete)
    }

    /// Parses one expression (for tests and the REPL's `print`-less evaluation).
    public static func parseExpression(source: String, file: String = "<input>") -> (Expr?, [Diagnostic]) {
        var parser = Parser(lexer: Lexer(source: source, file: file))
        var expr: Expr? = nil
        do throws(SyntaxError) {
            expr = try parser.parseExpr()
            if parser.current.kind != .eof { throw parser.unexpected("end of input") }
        } catch {
            parser.record(error)
        }
        return (expr, (parser.lexer.diagnostics + parser.diagnostics).sorted { $0.range.start < $1.range.start })
    }

    // MARK: - Token plumbing

    mutating func advance() {
        previousEnd = current.range.end
        previousToken = current
        if lookahead.isEmpty {
            current = lexer.next()
        } else {
            current = lookahead.removeFirst()
        }
    }

    /// The token `n` places after the current one.
    mutating func peek(_ n: Int) -> Token {
        while lookahead.count < n { lookahead.append(lexer.next()) }
        return lookahead[n - 1]
    }

    func at(_ k: Keyword) -> Bool { current.kind == .keyword(k) }

    mutating func accept(_ kind: TokenKind) -> Bool {
        if current.kind == kind {
            advance()
            return true
        }
        return false
    }

    @discardableResult
    mutating func expect(_ kind: TokenKind, _ what: String? = nil) throws(SyntaxError) -> Token {
        guard current.kind == kind else { throw unexpected(what ?? "`\(kind.dumpName)`") }
        let t = current
        advance()
        return t
    }

    mutating func unexpected(_ what: String, help: String? = nil) -> SyntaxError {
        if current.kind == .eof {
            if firstErrorAtEnd == nil && !sawNonEndError {
                firstErrorAtEnd = lexer.depth > 0 ? .openBracket : blockDepth > 0 ? .openBlock : .continuingClause
            }
            // Point just after the last token, where more was expected.
            let at = previousEnd < current.range.start ? SourceRange(source: lexer.source, start: previousEnd, end: previousEnd) : current.range
            return SyntaxError(diagnostic: .unexpectedEndOfInput(what, at: at))
        }
        if let mistake = unitMistake() { return SyntaxError(diagnostic: mistake) }
        if current.kind == .newline {
            // Point just after the last token rather than at the line break.
            let at = SourceRange(source: lexer.source, start: previousEnd, end: previousEnd)
            return SyntaxError(diagnostic: .expected(what, found: Token(kind: .newline, range: at), help: help))
        }
        return SyntaxError(diagnostic: .expected(what, found: current, help: help))
    }

    /// `90 days`, `1 hour`, `30 d`: a number followed by a unit spelt as a word; `1h 30m`:
    /// a duration split by a space. Nil when the current token is not such a mistake.
    func unitMistake() -> Diagnostic? {
        guard let previous = previousToken else { return nil }
        let range = previous.range.union(current.range)
        let written = text(of: range)
        if current.kind == .duration, previous.kind == .duration {
            return .unitAsWord(written: written, meant: written.filter { $0 != " " && $0 != "\t" }, range)
        }
        guard current.kind == .identifier, case .text(let word) = current.payload, case .int(let n) = previous.payload,
            let seconds = Vocabulary.unitWords[word.lowercased()]
        else { return nil }
        let letter = Vocabulary.durationUnits.first { $0.seconds == seconds }?.unit
        let meant = letter.map { "\(n)\($0)" } ?? "\(n * (seconds / 86400))d"
        return .unitAsWord(written: written, meant: meant, range)
    }

    /// What is wrong where a statement should end: a misspelt clause keyword (`scope`,
    /// `expires`), a second sink without its own `secret to`, else the generic error.
    mutating func endOfStatementError(after statement: Statement) -> SyntaxError {
        if unitMistake() == nil, current.kind == .identifier, case .text(let word) = current.payload,
            statement.keyword != "print" && statement.keyword != "let" && statement.keyword != "assert"
        {
            let clauses = Vocabulary.clauseForms.keys
            if let meant = Vocabulary.clauseMisspellings[word.lowercased()] ?? nearest(word.lowercased(), in: clauses) {
                sawNonEndError = true
                return SyntaxError(diagnostic: .unknownClause(word, meant: meant, current.range))
            }
        }
        // `show svc-e`: a selector's variable glued to `-` and a word is a name without quotes.
        if current.kind == .minus, let previous = previousToken, previous.kind == .identifier,
            previous.range.end.offset == current.range.start.offset
        {
            var last = peek(1)
            if last.range.start.offset == current.range.end.offset, last.kind == .identifier || last.kind == .int {
                // The whole chain: `tenant-2-a`, not `tenant-2`.
                var n = 1
                while case let (dash, word) = (peek(n + 1), peek(n + 2)), dash.kind == .minus,
                    dash.range.start.offset == last.range.end.offset, word.range.start.offset == dash.range.end.offset,
                    word.kind == .identifier || word.kind == .int
                {
                    last = word
                    n += 2
                }
                let range = previous.range.union(last.range)
                sawNonEndError = true
                return SyntaxError(diagnostic: .unquotedName(text(of: range), range))
            }
        }
        if case .secretTo = statement.clauses.last?.kind {
            switch current.kind {
            case .keyword(.file), .keyword(.env), .keyword(.run), .keyword(.stdout), .keyword(.to), .keyword(.and), .comma:
                sawNonEndError = true
                return SyntaxError(diagnostic: .sinkNeedsSecretTo(current, current.range))
            default: break
            }
        }
        return unexpected("end of statement", help: "put each statement on its own line or separate them with `;`")
    }

    mutating func record(_ error: SyntaxError) {
        // An invalid token was already reported by the lexer.
        if current.kind == .invalid && error.diagnostic.range == current.range { return }
        if error.diagnostic.id != "unexpected-end-of-input" { sawNonEndError = true }
        diagnostics.append(error.diagnostic)
    }

    func range(from start: SourceLocation) -> SourceRange {
        SourceRange(source: lexer.source, start: start, end: max(start, previousEnd))
    }

    mutating func enter() throws(SyntaxError) {
        depth += 1
        if depth > Parser.maxDepth {
            sawNonEndError = true
            throw SyntaxError(diagnostic: .tooDeeplyNested(current.range, limit: Parser.maxDepth))
        }
    }

    /// Skips to the next statement boundary at this block level (`synchronize`).
    mutating func synchronize() {
        var braces = 0
        while true {
            switch current.kind {
            case .eof: return
            case .newline, .semicolon:
                if braces == 0 {
                    advance()
                    return
                }
            case .lBrace: braces += 1
            case .rBrace:
                if braces == 0 { return }
                braces -= 1
            default: break
            }
            advance()
        }
    }

    // MARK: - Program and blocks

    // program     = { separator } , [ statement , { separator , { separator } , [ statement ] } ] , EOF ;
    mutating func parseProgram() -> Program {
        let start = current.range.start
        let statements = parseStatements(inBlock: false)
        let end = current.range.end
        return Program(statements: statements, range: SourceRange(source: lexer.source, start: start, end: end), comments: lexer.comments)
    }

    mutating func parseStatements(inBlock: Bool) -> [Statement] {
        var statements: [Statement] = []
        while true {
            while current.kind == .newline || current.kind == .semicolon { advance() }
            if current.kind == .eof || (inBlock && current.kind == .rBrace) { break }
            do throws(SyntaxError) {
                let statement = try parseStatement()
                statements.append(statement)
                switch current.kind {
                case .newline, .semicolon: advance()
                case .eof: break
                case .rBrace where inBlock: break
                default: throw endOfStatementError(after: statement)
                }
            } catch {
                record(error)
                synchronize()
                // A `}` that closes no block: skip it, or the loop would stop on it forever.
                if !inBlock && current.kind == .rBrace { advance() }
            }
        }
        return statements
    }

    // block       = "{" , { separator } , [ statement , { separator , { separator } , [ statement ] } ] , "}" ;
    mutating func parseBlock() throws(SyntaxError) -> Block {
        let start = current.range.start
        try expect(.lBrace, "`{`")
        try enter()
        blockDepth += 1
        let statements = parseStatements(inBlock: true)
        if current.kind == .eof { throw unexpected("`}`") }
        blockDepth -= 1
        depth -= 1
        try expect(.rBrace, "`}`")
        return Block(statements: statements, range: range(from: start))
    }

    // MARK: - Statements

    // statement   = create | ensure | update | grant | revoke | delete | rotate | rollback
    //             | secret | ephemeral | show | list | print | let | param | use | assert
    //             | for | if | inProject ;
    mutating func parseStatement() throws(SyntaxError) -> Statement {
        guard case .keyword(let k) = current.kind else { throw notAStatement() }
        let start = current.range.start
        let kind: Statement.Kind
        switch k {
        case .create: kind = try parseCreate()
        case .ensure: kind = try parseEnsure()
        case .update: kind = try parseUpdate()
        case .grant: kind = try parseGrant()
        case .revoke: kind = try parseRevoke()
        case .delete: kind = try parseDelete()
        case .rotate: kind = try parseRotate()
        case .rollback: kind = try parseRollback()
        case .secret: kind = try parseSecret()
        case .ephemeral: kind = try parseEphemeral()
        case .show: kind = try parseShow()
        case .list: kind = try parseList()
        case .print: kind = try parsePrint()
        case .let: kind = try parseLet()
        case .param: kind = try parseParam()
        case .use: kind = try parseUse()
        case .assert: kind = try parseAssert()
        case .for: kind = try parseFor()
        case .if: kind = try parseIf()
        case .in: kind = try parseInProject()
        default: throw notAStatement()
        }
        return Statement(kind, range: range(from: start))
    }

    mutating func notAStatement() -> SyntaxError {
        if current.kind == .eof { return unexpected("a statement") }
        return SyntaxError(diagnostic: .notAStatement(current))
    }

    // create      = "create" , expr , clauses ;
    mutating func parseCreate() throws(SyntaxError) -> Statement.Kind {
        advance()
        let name = try parseExpr()
        return .create(name: name, clauses: try parseClauses())
    }

    // ensure      = "ensure" , expr , clauses ;
    mutating func parseEnsure() throws(SyntaxError) -> Statement.Kind {
        advance()
        let name = try parseExpr()
        return .ensure(name: name, clauses: try parseClauses())
    }

    // update      = "update" , selector , clauses ;
    mutating func parseUpdate() throws(SyntaxError) -> Statement.Kind {
        advance()
        let target = try parseSelector()
        return .update(target: target, clauses: try parseClauses())
    }

    // grant       = "grant" , selector , scopeValue , clauses ;
    mutating func parseGrant() throws(SyntaxError) -> Statement.Kind {
        let (target, scopes, clauses) = try parseScopeChange()
        return .grant(target: target, scopes: scopes, clauses: clauses)
    }

    // revoke      = "revoke" , selector , scopeValue , clauses ;
    mutating func parseRevoke() throws(SyntaxError) -> Statement.Kind {
        let (target, scopes, clauses) = try parseScopeChange()
        return .revoke(target: target, scopes: scopes, clauses: clauses)
    }

    /// The shared shape of `grant` and `revoke`.
    mutating func parseScopeChange() throws(SyntaxError) -> (Selector, Expr, [Clause]) {
        advance()
        let target = try parseSelector()
        let scopes = try parseScopeValue()
        return (target, scopes, try parseClauses())
    }

    // delete      = "delete" , selector , clauses ;
    mutating func parseDelete() throws(SyntaxError) -> Statement.Kind {
        advance()
        let target = try parseSelector()
        return .delete(target: target, clauses: try parseClauses())
    }

    // rotate      = "rotate" , selector , clauses ;
    mutating func parseRotate() throws(SyntaxError) -> Statement.Kind {
        advance()
        let target = try parseSelector()
        return .rotate(target: target, clauses: try parseClauses())
    }

    // rollback    = "rollback" , selector , clauses ;
    mutating func parseRollback() throws(SyntaxError) -> Statement.Kind {
        advance()
        let target = try parseSelector()
        return .rollback(target: target, clauses: try parseClauses())
    }

    // secret      = "secret" , selector , "to" , sink , clauses ;
    mutating func parseSecret() throws(SyntaxError) -> Statement.Kind {
        advance()
        let target = try parseSelector()
        let toStart = current.range.start
        let toToken = try expect(.keyword(.to), "`to` and a sink")
        let sink = try parseSink()
        let first = Clause(.secretTo(sink), range: range(from: toStart), keywordRange: toToken.range)
        return .secret(target: target, clauses: [first] + (try parseClauses()))
    }

    // ephemeral   = "ephemeral" , clauses ;
    mutating func parseEphemeral() throws(SyntaxError) -> Statement.Kind {
        advance()
        return .ephemeral(clauses: try parseClauses())
    }

    // show        = "show" , selector , clauses ;
    mutating func parseShow() throws(SyntaxError) -> Statement.Kind {
        advance()
        let target = try parseSelector()
        return .show(target: target, clauses: try parseClauses())
    }

    // list        = "list" , clauses ;
    mutating func parseList() throws(SyntaxError) -> Statement.Kind {
        advance()
        return .list(clauses: try parseClauses())
    }

    // print       = "print" , expr , { "," , expr } ;
    mutating func parsePrint() throws(SyntaxError) -> Statement.Kind {
        advance()
        var values = [try parseExpr()]
        while accept(.comma) { values.append(try parseExpr()) }
        return .print(values)
    }

    // let         = "let" , IDENT , "=" , expr ;
    mutating func parseLet() throws(SyntaxError) -> Statement.Kind {
        advance()
        let name = try parseIdentifier("a variable name", binding: true)
        try expect(.assign, "`=`")
        return .let(name: name, value: try parseExpr())
    }

    // param       = "param" , IDENT , [ "=" , expr ] ;
    mutating func parseParam() throws(SyntaxError) -> Statement.Kind {
        advance()
        let name = try parseIdentifier("a parameter name", binding: true)
        let value: Expr? = accept(.assign) ? try parseExpr() : nil
        return .param(name: name, defaultValue: value)
    }

    // use         = "use" , ( "endpoint" , expr , [ "project" , expr ]
    //                       | "project" , expr , [ "endpoint" , expr ] ) ;
    mutating func parseUse() throws(SyntaxError) -> Statement.Kind {
        advance()
        var endpoint: Expr? = nil
        var project: Expr? = nil
        while true {
            if at(.endpoint) && endpoint == nil {
                advance()
                endpoint = try parseExpr()
            } else if at(.project) && project == nil {
                advance()
                project = try parseExpr()
            } else {
                break
            }
        }
        if endpoint == nil && project == nil { throw unexpected("`endpoint` or `project`") }
        return .use(endpoint: endpoint, project: project)
    }

    // assert      = "assert" , expr , [ "," , expr ] ;
    mutating func parseAssert() throws(SyntaxError) -> Statement.Kind {
        advance()
        let condition = try parseExpr()
        let message: Expr? = accept(.comma) ? try parseExpr() : nil
        return .assert(condition: condition, message: message)
    }

    // for         = "for" , IDENT , "in" , expr , [ "parallel" , additive ] , block ;
    mutating func parseFor() throws(SyntaxError) -> Statement.Kind {
        advance()
        let variable = try parseIdentifier("a loop variable name", binding: true)
        try expect(.keyword(.in), "`in`")
        let sequence = try parseExpr()
        var parallel: Expr? = nil
        if at(.parallel) {
            advance()
            parallel = try parseAdditive()
        }
        let body = try parseBlock()
        return .for(variable: variable, sequence: sequence, parallel: parallel, body: body)
    }

    // if          = "if" , expr , block , { "else" , "if" , expr , block } , [ "else" , block ] ;
    mutating func parseIf() throws(SyntaxError) -> Statement.Kind {
        var branches: [ConditionalBranch] = []
        var elseBlock: Block? = nil
        var start = current.range.start
        advance()
        while true {
            let condition = try parseExpr()
            let body = try parseBlock()
            branches.append(ConditionalBranch(condition: condition, body: body, range: range(from: start)))
            guard at(.else) else { break }
            start = current.range.start
            advance()
            if at(.if) {
                advance()
                continue
            }
            elseBlock = try parseBlock()
            break
        }
        return .if(branches: branches, elseBlock: elseBlock)
    }

    // inProject   = "in" , "project" , expr , block ;
    mutating func parseInProject() throws(SyntaxError) -> Statement.Kind {
        advance()
        guard at(.project) else {
            if at(.projects) {
                throw unexpected("`project`", help: "`in project` takes one project; for each of them write `for p in projects { in project p { … } }`")
            }
            if current.kind == .identifier, let word = wordText(current), nearest(word, in: ["project"]) != nil {
                throw unexpected("`project`", help: "did you mean `in project`?")
            }
            throw unexpected("`project`", help: "a statement beginning with `in` is `in project EXPR { … }`")
        }
        advance()
        let project = try parseExpr()
        let body = try parseBlock()
        return .inProject(project: project, body: body)
    }

    // MARK: - Clauses, selectors, sinks

    // clauses     = { clause } ;
    mutating func parseClauses() throws(SyntaxError) -> [Clause] {
        var clauses: [Clause] = []
        while let clause = try parseClause() { clauses.append(clause) }
        return clauses
    }

    // clause      = "scopes" , scopeValue
    //             | "expire" , expr
    //             | "description" , expr
    //             | "name" , expr
    //             | "id" , expr
    //             | "grace" , expr
    //             | "as" , IDENT
    //             | "secret" , "to" , sink
    //             | "where" , expr ;
    mutating func parseClause() throws(SyntaxError) -> Clause? {
        guard case .keyword(let k) = current.kind else { return nil }
        let start = current.range.start
        let keywordRange = current.range
        let kind: Clause.Kind
        switch k {
        case .scopes:
            advance()
            kind = .scopes(try parseScopeValue())
        case .expire:
            advance()
            kind = .expire(try parseExpr())
        case .description:
            advance()
            kind = .description(try parseExpr())
        case .name:
            advance()
            kind = .name(try parseExpr())
        case .id:
            advance()
            kind = .id(try parseExpr())
        case .grace:
            advance()
            kind = .grace(try parseExpr())
        case .as:
            advance()
            kind = .as(try parseIdentifier("a variable name", binding: true))
        case .where:
            advance()
            kind = .where(try parseExpr())
        case .secret:
            guard peek(1).kind == .keyword(.to) else { return nil }
            advance()
            let toEnd = current.range.end
            advance()
            let sink = try parseSink()
            return Clause(.secretTo(sink), range: range(from: start), keywordRange: SourceRange(source: lexer.source, start: start, end: toEnd))
        default:
            return nil
        }
        return Clause(kind, range: range(from: start), keywordRange: keywordRange)
    }

    // selector    = STRING
    //             | "all" , postfix
    //             | "id" , postfix
    //             | IDENT
    //             | "keys" , "where" , expr ;
    mutating func parseSelector() throws(SyntaxError) -> Selector {
        let start = current.range.start
        let kind: Selector.Kind
        switch current.kind {
        case .string:
            kind = .name(try parsePrimary())
        case .keyword(.all):
            advance()
            kind = .all(try parsePostfix())
        case .keyword(.id):
            advance()
            kind = .id(try parsePostfix())
        case .identifier:
            kind = .variable(try parseIdentifier("a key"))
        case .keyword(.keys):
            advance()
            try expect(.keyword(.where), "`where` after `keys`")
            kind = .keysWhere(try parseExpr())
        default:
            throw unexpected("a key selector", help: "select keys with \"NAME\", all \"NAME\", id \"ID\", a variable, or keys where COND")
        }
        return Selector(kind, range: range(from: start))
    }

    // sink        = "file" , additive
    //             | "env" , additive , "in" , additive
    //             | "run" , additive
    //             | "stdout" ;
    mutating func parseSink() throws(SyntaxError) -> Sink {
        let start = current.range.start
        let kind: Sink.Kind
        switch current.kind {
        case .keyword(.file):
            advance()
            kind = .file(try parseAdditive())
        case .keyword(.env):
            advance()
            let variable = try parseAdditive()
            try expect(.keyword(.in), "`in` and the dotenv file path")
            kind = .env(variable: variable, path: try parseAdditive())
        case .keyword(.run):
            advance()
            kind = .run(try parseAdditive())
        case .keyword(.stdout):
            advance()
            kind = .stdout
        default:
            throw unexpected("a sink", help: "a secret goes to file \"PATH\", env \"VAR\" in \"PATH\", run \"COMMAND\" or stdout")
        }
        return Sink(kind, range: range(from: start))
    }

    // scopeValue  = scopeList | scopePattern | postfix ;
    mutating func parseScopeValue() throws(SyntaxError) -> Expr {
        if current.kind == .lBracket { return try parseListLiteral(scopes: true) }
        if startsScopePattern(inScopeContext: true) { return try parseScopePattern() }
        return try parsePostfix()
    }

    // IDENT
    /// `binding`: the name being defined (`let`, `param`, `for`, `as`), where a keyword is
    /// the common mistake of a reserved word used as a variable.
    mutating func parseIdentifier(_ what: String, binding: Bool = false) throws(SyntaxError) -> Identifier {
        if binding, case .keyword(let k) = current.kind {
            sawNonEndError = true
            throw SyntaxError(diagnostic: .reservedName(k.rawValue, current.range))
        }
        guard current.kind == .identifier, case .text(let name) = current.payload else { throw unexpected(what) }
        let r = current.range
        advance()
        return Identifier(name: name, range: r)
    }

    // MARK: - Expressions

    // expr        = or ;
    mutating func parseExpr() throws(SyntaxError) -> Expr {
        try enter()
        expressionNesting += 1
        defer {
            depth -= 1
            expressionNesting -= 1
        }
        let e = try parseOr()
        // Chains (`a and b and …`, `x + y + …`, `k.a.b…`) are parsed by loops, but they
        // build trees as deep as they are long, which every later stage walks recursively:
        // an outermost expression is measured once, without recursion, and refused when
        // it is deeper than any script needs.
        if expressionNesting == 1, e.height > Parser.maxExpressionHeight {
            sawNonEndError = true
            throw SyntaxError(diagnostic: .expressionTooDeep(e.range, limit: Parser.maxExpressionHeight))
        }
        return e
    }

    // or          = and , { "or" , and } ;
    mutating func parseOr() throws(SyntaxError) -> Expr {
        var left = try parseAnd()
        while at(.or) {
            advance()
            let right = try parseAnd()
            left = Expr(.binary(.or, left, right), range: left.range.union(right.range))
        }
        return left
    }

    // and         = not , { "and" , not } ;
    mutating func parseAnd() throws(SyntaxError) -> Expr {
        var left = try parseNot()
        while at(.and) {
            advance()
            let right = try parseNot()
            left = Expr(.binary(.and, left, right), range: left.range.union(right.range))
        }
        return left
    }

    // not         = "not" , not | comparison ;
    mutating func parseNot() throws(SyntaxError) -> Expr {
        guard at(.not) else { return try parseComparison() }
        let start = current.range.start
        advance()
        try enter()
        defer { depth -= 1 }
        let operand = try parseNot()
        return Expr(.unary(.not, operand), range: range(from: start))
    }

    // comparison  = additive , [ compareOp , additive | "has" , hasOperand ] ;
    // compareOp   = "==" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "in" ;
    mutating func parseComparison() throws(SyntaxError) -> Expr {
        let left = try parseAdditive()
        let op: BinaryOperator
        switch current.kind {
        case .equal: op = .equal
        case .notEqual: op = .notEqual
        case .less: op = .less
        case .lessEqual: op = .lessEqual
        case .greater: op = .greater
        case .greaterEqual: op = .greaterEqual
        case .tilde: op = .match
        case .keyword(.in): op = .in
        case .keyword(.has): op = .has
        default: return left
        }
        advance()
        let right = op == .has ? try parseHasOperand() : try parseAdditive()
        return Expr(.binary(op, left, right), range: left.range.union(right.range))
    }

    // hasOperand  = scopePattern | additive ;
    mutating func parseHasOperand() throws(SyntaxError) -> Expr {
        if startsScopePattern(inScopeContext: true) { return try parseScopePattern() }
        return try parseAdditive()
    }

    // additive    = unary , { ( "+" | "-" ) , unary } ;
    mutating func parseAdditive() throws(SyntaxError) -> Expr {
        var left = try parseUnary()
        while current.kind == .plus || current.kind == .minus {
            let op: BinaryOperator = current.kind == .plus ? .plus : .minus
            advance()
            let right = try parseUnary()
            left = Expr(.binary(op, left, right), range: left.range.union(right.range))
        }
        return left
    }

    // unary       = "-" , unary | postfix ;
    mutating func parseUnary() throws(SyntaxError) -> Expr {
        guard current.kind == .minus else { return try parsePostfix() }
        let start = current.range.start
        advance()
        try enter()
        defer { depth -= 1 }
        let operand = try parseUnary()
        return Expr(.unary(.negate, operand), range: range(from: start))
    }

    // postfix     = primary , { "." , word } ;
    mutating func parsePostfix() throws(SyntaxError) -> Expr {
        var e = try parsePrimary()
        while current.kind == .dot {
            advance()
            guard let word = wordText(current) else { throw unexpected("a field name after `.`") }
            let member = Identifier(name: word, range: current.range)
            advance()
            e = Expr(.member(e, member), range: e.range.union(member.range))
        }
        return e
    }

    // primary     = STRING | INT | DURATION | TIMESTAMP
    //             | "true" | "false" | "now" | "never"
    //             | "in" , additive
    //             | "keys" , [ "where" , expr ]
    //             | "projects" , [ "where" , expr ]
    //             | listLiteral
    //             | "(" , expr , ")"
    //             | call
    //             | scopePattern
    //             | IDENT
    //             | field ;
    // field       = "name" | "scopes" | "expire" | "id" | "description" ;
    mutating func parsePrimary() throws(SyntaxError) -> Expr {
        let t = current
        switch t.kind {
        case .string:
            advance()
            guard case .string(let parts) = t.payload else { throw unexpected("a string") }
            return Expr(.string(try parseStringParts(parts)), range: t.range)
        case .int:
            advance()
            guard case .int(let v) = t.payload else { throw unexpected("a number") }
            return Expr(.int(v), range: t.range)
        case .duration:
            advance()
            guard case .duration(let v) = t.payload else { throw unexpected("a duration") }
            return Expr(.duration(seconds: v, text: text(of: t.range)), range: t.range)
        case .timestamp:
            advance()
            guard case .timestamp(let v) = t.payload else { throw unexpected("a timestamp") }
            return Expr(.timestamp(v, text: text(of: t.range)), range: t.range)
        case .keyword(.true):
            advance()
            return Expr(.bool(true), range: t.range)
        case .keyword(.false):
            advance()
            return Expr(.bool(false), range: t.range)
        case .keyword(.now):
            advance()
            return Expr(.now, range: t.range)
        case .keyword(.never):
            advance()
            return Expr(.never, range: t.range)
        case .keyword(.in):
            advance()
            try enter()
            defer { depth -= 1 }
            let d = try parseAdditive()
            return Expr(.expiryIn(d), range: t.range.union(d.range))
        case .keyword(.keys):
            if startsScopePattern(inScopeContext: false) { return try parseScopePattern() }
            advance()
            if at(.where) {
                advance()
                let cond = try parseExpr()
                return Expr(.keysWhere(cond), range: t.range.union(cond.range))
            }
            return Expr(.keys, range: t.range)
        case .keyword(.projects):
            if startsScopePattern(inScopeContext: false) { return try parseScopePattern() }
            advance()
            if at(.where) {
                advance()
                let cond = try parseExpr()
                return Expr(.projectsWhere(cond), range: t.range.union(cond.range))
            }
            return Expr(.projects, range: t.range)
        case .lBracket:
            return try parseListLiteral(scopes: false)
        case .lParen:
            advance()
            let inner = try parseExpr()
            try expect(.rParen, "`)`")
            return Expr(inner.kind, range: range(from: t.range.start))
        case .star:
            return try parseScopePattern()
        case .identifier, .keyword(.env):
            if peek(1).kind == .lParen { return try parseCall() }
            if startsScopePattern(inScopeContext: false) { return try parseScopePattern() }
            guard t.kind == .identifier, case .text(let name) = t.payload else { throw unexpected("an expression") }
            advance()
            return Expr(.identifier(name), range: t.range)
        case .keyword(.name), .keyword(.scopes), .keyword(.expire), .keyword(.id), .keyword(.description):
            if startsScopePattern(inScopeContext: false) { return try parseScopePattern() }
            advance()
            guard case .keyword(let k) = t.kind else { throw unexpected("an expression") }
            return Expr(.identifier(k.rawValue), range: t.range)
        default:
            if case .keyword = t.kind, startsScopePattern(inScopeContext: false) { return try parseScopePattern() }
            if t.kind == .keyword(.project) {
                throw unexpected("an expression", help: "did you mean `projects`, the organization's projects?")
            }
            throw unexpected("an expression")
        }
    }

    // call        = ( IDENT | "env" ) , "(" , [ argument , { "," , argument } ] , ")" ;
    // argument    = expr ;
    mutating func parseCall() throws(SyntaxError) -> Expr {
        let start = current.range.start
        let name = Identifier(name: wordText(current) ?? "", range: current.range)
        advance()
        try expect(.lParen, "`(`")
        try enter()
        defer { depth -= 1 }
        var args: [Expr] = []
        if current.kind != .rParen {
            repeat {
                if name.name == "exists" {
                    let sel = try parseSelector()
                    args.append(Expr(.selector(sel), range: sel.range))
                } else {
                    args.append(try parseExpr())
                }
            } while accept(.comma)
        }
        try expect(.rParen, "`)` or `,`")
        return Expr(.call(name, args), range: range(from: start))
    }

    // listLiteral = "[" , [ expr , { "," , expr } , [ "," ] ] , "]" ;
    // scopeList   = "[" , [ scopeItem , { "," , scopeItem } , [ "," ] ] , "]" ;
    // scopeItem   = scopePattern | IDENT ;
    mutating func parseListLiteral(scopes: Bool) throws(SyntaxError) -> Expr {
        let start = current.range.start
        try expect(.lBracket, "`[`")
        try enter()
        defer { depth -= 1 }
        var items: [Expr] = []
        while current.kind != .rBracket {
            if scopes {
                if startsScopePattern(inScopeContext: true) {
                    items.append(try parseScopePattern())
                } else if current.kind == .identifier {
                    let id = try parseIdentifier("a scope")
                    items.append(Expr(.identifier(id.name), range: id.range))
                } else {
                    throw unexpected("a scope pattern or a variable", help: "a scope list holds patterns like databases.read or users.*, and variables holding scopes")
                }
            } else {
                items.append(try parseExpr())
            }
            if !accept(.comma) { break }
        }
        try expect(.rBracket, items.isEmpty ? "`]`" : "`,` or `]`")
        let r = range(from: start)
        let allScopeShaped = items.allSatisfy {
            switch $0.kind {
            case .scopePattern, .identifier: true
            default: false
            }
        }
        let anyPattern = items.contains { if case .scopePattern = $0.kind { true } else { false } }
        if scopes || (allScopeShaped && anyPattern) {
            let scopeItems = items.map { e -> ScopeItem in
                switch e.kind {
                case .scopePattern(let p): ScopeItem(.pattern(p), range: e.range)
                case .identifier(let name): ScopeItem(.variable(Identifier(name: name, range: e.range)), range: e.range)
                default: ScopeItem(.variable(Identifier(name: "", range: e.range)), range: e.range)
                }
            }
            return Expr(.scopeList(scopeItems), range: r)
        }
        return Expr(.list(items), range: r)
    }

    /// Whether the current token starts a scope pattern: `*`, or a word glued to a `.`
    /// (`databases.read`). Outside a scope context the first word must name a group of
    /// the scope catalogue, so `k.name` stays a member access; inside one, only
    /// `NAME.scopes` is read as a member access.
    mutating func startsScopePattern(inScopeContext: Bool) -> Bool {
        if current.kind == .star { return true }
        guard let word = wordText(current) else { return false }
        let dot = peek(1)
        guard dot.kind == .dot, dot.range.start.offset == current.range.end.offset else { return false }
        let next = peek(2)
        guard next.range.start.offset == dot.range.end.offset else { return false }
        if next.kind == .star { return true }
        guard let second = wordText(next) else { return false }
        if inScopeContext { return !(second == "scopes" && current.kind == .identifier) }
        return ScopeCatalogue.groups.contains(word)
    }

    // scopePattern = "*" | word , { "." , ( word | "*" ) } ;
    mutating func parseScopePattern() throws(SyntaxError) -> Expr {
        let start = current.range.start
        var text = ""
        while true {
            if current.kind == .star {
                text += "*"
            } else if let w = wordText(current) {
                text += w
            } else {
                throw unexpected("a scope pattern")
            }
            let end = current.range.end.offset
            advance()
            guard current.kind == .dot, current.range.start.offset == end else { break }
            let dotEnd = current.range.end.offset
            let after = peek(1)
            guard after.range.start.offset == dotEnd, after.kind == .star || wordText(after) != nil else { break }
            advance()
            text += "."
        }
        let r = range(from: start)
        return Expr(.scopePattern(ScopePattern(text: text, range: r)), range: r)
    }

    /// The text of an identifier or keyword token (scope words and member names may be keywords).
    func wordText(_ t: Token) -> String? {
        switch t.kind {
        case .identifier:
            if case .text(let s) = t.payload { return s }
            return nil
        case .keyword(let k): return k.rawValue
        default: return nil
        }
    }

    func text(of r: SourceRange) -> String {
        String(decoding: lexer.bytes[r.start.offset..<r.end.offset], as: UTF8.self)
    }

    // string = '"' { text | "${" expr "}" } '"' ;
    mutating func parseStringParts(_ parts: [StringTokenPart]) throws(SyntaxError) -> [StringPart] {
        var out: [StringPart] = []
        out.reserveCapacity(parts.count)
        for part in parts {
            switch part {
            case .text(let s, let r):
                out.append(StringPart(.text(s), range: r))
            case .interpolation(let inner, let whole):
                let lineStart = inner.start.offset - inner.start.column + 1
                var sub = Parser(lexer: Lexer(bytes: lexer.bytes, file: lexer.file, source: lexer.source, from: inner.start.offset, to: inner.end.offset, line: inner.start.line, lineStart: lineStart), depth: depth)
                do throws(SyntaxError) {
                    let e = try sub.parseExpr()
                    if sub.current.kind != .eof { throw sub.unexpected("`}`") }
                    out.append(StringPart(.interpolation(e), range: whole))
                } catch {
                    let d = error.diagnostic
                    let fixed = d.id == "unexpected-end-of-input"
                        ? Diagnostic(id: "expected", summary: "expected an expression inside `${ }`", range: whole) : d
                    diagnostics.append(contentsOf: sub.lexer.diagnostics)
                    diagnostics.append(contentsOf: sub.diagnostics)
                    sawNonEndError = true
                    throw SyntaxError(diagnostic: fixed)
                }
                diagnostics.append(contentsOf: sub.lexer.diagnostics)
                diagnostics.append(contentsOf: sub.diagnostics)
            }
        }
        return out
    }
}
