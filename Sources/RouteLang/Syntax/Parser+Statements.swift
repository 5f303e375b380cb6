// MARK: - Statements

extension Parser {
    /// `file = { statement } EOF ;`
    mutating func parseFile() -> [Statement] {
        var statements: [Statement] = []
        while !atEnd {
            let before = position
            if let statement = parseStatement() {
                statements.append(statement)
            } else if position == before || !current.isAtLineStart || !isStatementStart {
                recoverToStatement()
            }
        }
        return statements
    }

    var isStatementStart: Bool {
        current.kind == .word && Statement.keywords.contains(current.text)
    }

    /// `statement = listen | admin | namer | identify | dtab_block | defaults | route | split | limits | tracing | access_log ;`
    mutating func parseStatement() -> Statement? {
        let keyword = current
        guard keyword.kind == .word else {
            if keyword.kind == .rightBrace {
                error(.expectedToken, "unexpected `}` with no open block", at: keyword.range)
            } else {
                error(.unknownStatement, "expected a statement, found \(describe(keyword))", at: keyword.range,
                      help: "statements are: " + Statement.keywords.joined(separator: ", "))
            }
            return nil
        }
        switch keyword.text {
        case "listen": return parseListen().map(Statement.listen)
        case "admin": return parseAdmin().map(Statement.admin)
        case "namer": return parseNamer().map(Statement.namer)
        case "identify": return parseIdentify().map(Statement.identify)
        case "dtab": return parseDtabBlock().map(Statement.dtab)
        case "defaults": return parseDefaults().map(Statement.defaults)
        case "route": return parseRoute().map(Statement.route)
        case "split": return parseSplit().map(Statement.split)
        case "limits": return parseLimits().map(Statement.limits)
        case "tracing": return parseTracing().map(Statement.tracing)
        case "access-log": return parseAccessLog().map(Statement.accessLog)
        default:
            error(.unknownStatement, "unknown statement `\(keyword.text)`", at: keyword.range,
                  help: Suggestion.help(for: keyword.text, among: Statement.keywords))
            return nil
        }
    }

    // MARK: listen / admin

    /// `listen = "listen" address { listen_option } ;`
    /// `listen_option = "allow-dtab-override" | "tls" "cert" string "key" string ;`
    mutating func parseListen() -> ListenDecl? {
        let keyword = advance()
        guard let address = parseAddress() else { return nil }
        var allowOverride: SourceRange?
        var tls: TLSSyntax?
        while current.kind == .word, !startsNewLine(after: address.range) || ListenDecl.options.contains(current.text) {
            let option = advance()
            switch option.text {
            case "allow-dtab-override":
                if allowOverride != nil {
                    error(.duplicateOption, "`allow-dtab-override` is given twice", at: option.range)
                }
                allowOverride = option.range
            case "tls":
                if tls != nil { error(.duplicateOption, "`tls` is given twice", at: option.range) }
                guard expectKeyword("cert", after: "tls"), let cert = expectString("the certificate chain's PEM file"),
                      expectKeyword("key", after: "tls cert"), let key = expectString("the private key's PEM file") else { return nil }
                tls = TLSSyntax(cert: cert, key: key, range: option.range.through(previousRange))
            default:
                error(.unknownListenOption, "unknown listen option `\(option.text)`", at: option.range,
                      help: Suggestion.help(for: option.text, among: ListenDecl.options)
                        ?? "listen options are: " + ListenDecl.options.joined(separator: ", "))
                return nil
            }
        }
        return ListenDecl(address: address, allowDtabOverride: allowOverride, tls: tls, range: keyword.range.through(previousRange))
    }

    /// `admin = "admin" address ;`
    mutating func parseAdmin() -> AdminDecl? {
        let keyword = advance()
        guard let address = parseAddress() else { return nil }
        return AdminDecl(address: address, range: keyword.range.through(address.range))
    }

    // MARK: tracing / access-log

    /// `tracing = "tracing" "otlp" string [ "sample" percentage ] ;`
    mutating func parseTracing() -> TracingDecl? {
        let keyword = advance()
        guard let exporter = expectWord("an exporter (`otlp`)") else { return nil }
        guard TracingDecl.exporters.contains(exporter.text) else {
            error(.unknownOption, "unknown tracing exporter `\(exporter.text)`", at: exporter.range,
                  help: "the exporter is `otlp` (OTLP over HTTP): `tracing otlp \"http://127.0.0.1:4318\"`")
            return nil
        }
        guard let endpoint = expectString("the collector's URL, e.g. \"http://127.0.0.1:4318\"") else { return nil }
        var sample: Spanned<Double>?
        if current.kind == .word, current.text == "sample", !current.isAtLineStart {
            advance()
            guard let token = expectWord("a percentage such as `10%`") else { return nil }
            sample = literal(token, code: .invalidPercentage, LiteralParser.ratio)
            if sample == nil { return nil }
        }
        return TracingDecl(exporter: Spanned(exporter.text, text: exporter.text, range: exporter.range), endpoint: endpoint,
                           sample: sample, range: keyword.range.through(previousRange))
    }

    /// `access_log = "access-log" string ;`
    mutating func parseAccessLog() -> AccessLogDecl? {
        let keyword = advance()
        guard let path = expectString("a file for the access log, or \"-\" for standard output") else { return nil }
        return AccessLogDecl(path: path, range: keyword.range.through(path.range))
    }

    /// `address = host ":" port | "[" ipv6 "]" ":" port ;`
    mutating func parseAddress() -> Spanned<SocketAddress>? {
        guard let token = expectWord("an address such as `127.0.0.1:4140`") else { return nil }
        return literal(token, code: .invalidAddress, LiteralParser.address)
    }

    // MARK: namer

    /// `namer = "namer" namer_name "=" ( "files" string | "static" string | "dns" string { dns_option }
    ///        | "etcd" string { etcd_option } ) ;`
    mutating func parseNamer() -> NamerDecl? {
        let keyword = advance()
        guard let name = parseName("a namer name", allowingDots: true) else { return nil }
        guard expect(.equals, "after the namer name") != nil else { return nil }
        guard let kindToken = expectWord("a namer kind") else { return nil }
        guard let kind = NamerKind(rawValue: kindToken.text) else {
            error(.unknownNamerKind, "unknown namer kind `\(kindToken.text)`", at: kindToken.range,
                  help: Suggestion.help(for: kindToken.text, among: NamerKind.allCases.map(\.rawValue))
                    ?? "namer kinds are: " + NamerKind.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        guard let argument = expectString(kind.argumentMeaning) else { return nil }
        var options: [NamerOption] = []
        while current.kind == .word, !current.isAtLineStart {
            let key = advance()
            guard let takesValue = kind.options[key.text] else {
                error(.unknownOption, "unknown \(kind.rawValue) namer option `\(key.text)`", at: key.range,
                      help: Suggestion.help(for: key.text, among: kind.options.keys.sorted())
                        ?? (kind.options.isEmpty ? "a \(kind.rawValue) namer takes no options"
                            : "\(kind.rawValue) namer options are: " + kind.options.keys.sorted().joined(separator: ", ")))
                return nil
            }
            var value: Spanned<String>?
            if takesValue, current.kind == .string {
                value = expectString("a value for `\(key.text)`")
            } else if takesValue {
                guard let token = expectWord("a value for `\(key.text)`") else { return nil }
                value = Spanned(token.text, text: token.text, range: token.range)
            }
            options.append(NamerOption(key: Spanned(key.text, text: key.text, range: key.range), value: value))
        }
        return NamerDecl(name: name, kind: Spanned(kind, text: kindToken.text, range: kindToken.range),
                         argument: argument, options: options, range: keyword.range.through(previousRange))
    }

    /// `name = letter { letter | digit | "_" | "-" } ;`
    /// `namer_name = name { "." name } ;`
    mutating func parseName(_ what: String, allowingDots: Bool = false) -> Spanned<String>? {
        guard let token = expectWord(what) else { return nil }
        guard allowingDots ? LiteralParser.isNamerName(token.text) : LiteralParser.isName(token.text) else {
            error(.invalidName, "invalid name `\(token.text)`", at: token.range,
                  help: "a name starts with a letter and has only letters, digits, `_` and `-`"
                    + (allowingDots ? "; a namer name may join such names with `.` (`io.l5d.fs`)" : ""))
            return nil
        }
        return Spanned(token.text, text: token.text, range: token.range)
    }

    // MARK: identify

    /// `identify = "identify" ( "host" | "method-host" | "header" string | "path" integer | path_template ) ;`
    mutating func parseIdentify() -> IdentifyDecl? {
        let keyword = advance()
        if current.kind == .path {
            guard let template = parseTemplate() else { return nil }
            return IdentifyDecl(form: .template(template), range: keyword.range.through(template.range))
        }
        guard let form = expectWord("`host`, `method-host`, `header \"NAME\"`, `path N` or a path template") else { return nil }
        switch form.text {
        case "host":
            return IdentifyDecl(form: .host, range: keyword.range.through(form.range))
        case "method-host":
            return IdentifyDecl(form: .methodHost, range: keyword.range.through(form.range))
        case "header":
            guard let name = parseHeaderName() else { return nil }
            return IdentifyDecl(form: .header(name), range: keyword.range.through(name.range))
        case "path":
            guard let count = wordLiteral("a segment count", code: .invalidInteger, LiteralParser.integer) else { return nil }
            return IdentifyDecl(form: .path(count), range: keyword.range.through(count.range))
        default:
            error(.unknownIdentifier, "unknown identifier `\(form.text)`", at: form.range,
                  help: Suggestion.help(for: form.text, among: IdentifyForm.keywords)
                    ?? "use `host`, `method-host`, `header \"NAME\"`, `path N` or a template such as `/svc/{host}`")
            return nil
        }
    }

    /// A header name as a string, checked to be an HTTP token and lower-cased.
    mutating func parseHeaderName() -> Spanned<String>? {
        guard let name = expectString("a header name") else { return nil }
        guard LiteralParser.isToken(name.value) else {
            error(.invalidHeaderName, "invalid header name \"\(name.value)\"", at: name.range,
                  help: "header names are letters, digits and `!#$%&'*+-.^_`|~`")
            return nil
        }
        return Spanned(name.value.lowercased(), text: name.text, range: name.range)
    }

    // MARK: defaults

    /// `defaults = "defaults" "{" { policy } "}" ;`
    mutating func parseDefaults() -> DefaultsBlock? {
        let keyword = advance()
        guard let open = expect(.leftBrace, "after `defaults`") else { return nil }
        var items: [PolicyItem] = []
        let close = parseBlock("defaults", opening: open.range) { parser in
            guard let item = parser.parsePolicyItem(inRoute: false) else { return false }
            items.append(item)
            return true
        }
        return DefaultsBlock(items: items, range: keyword.range.through(close))
    }

    // MARK: split

    /// `split = "split" path "{" { split_entry [ ";" ] } "}" ;`
    /// `split_entry = ( percentage | weight ) path ;`
    mutating func parseSplit() -> SplitDecl? {
        let keyword = advance()
        guard let pathToken = expect(.path, "after `split` (the name to split, e.g. `/svc/search`)") else { return nil }
        guard let path = parsePlainPath(pathToken) else { return nil }
        guard let open = expect(.leftBrace, "after the split name") else { return nil }
        var entries: [SplitEntry] = []
        let close = parseBlock("split", opening: open.range) { parser in
            guard let weightToken = parser.expectWord("a weight such as `90%`") else { return false }
            let isPercent = weightToken.text.hasSuffix("%")
            guard let weight = parser.literal(weightToken, code: isPercent ? .invalidPercentage : .invalidWeight,
                                              isPercent ? LiteralParser.percentage : LiteralParser.weight) else { return false }
            guard let targetToken = parser.expect(.path, "after the weight (the destination)") else { return false }
            guard let target = parser.parsePlainPath(targetToken) else { return false }
            _ = parser.consume(.semicolon)
            entries.append(SplitEntry(weight: weight, isPercent: isPercent, target: target,
                                      range: weightToken.range.through(target.range)))
            return true
        }
        return SplitDecl(path: path, entries: entries, range: keyword.range.through(close))
    }

    // MARK: limits

    /// `limits = "limits" "{" { limit_name ( byte_size | integer | duration ) } "}" ;`
    mutating func parseLimits() -> LimitsBlock? {
        let keyword = advance()
        guard let open = expect(.leftBrace, "after `limits`") else { return nil }
        var items: [LimitItem] = []
        let close = parseBlock("limits", opening: open.range) { parser in
            guard let nameToken = parser.expectWord("a limit") else { return false }
            guard let kind = LimitItem.Kind(rawValue: nameToken.text) else {
                let names = LimitItem.Kind.allCases.map(\.rawValue)
                parser.error(.unknownOption, "unknown limit `\(nameToken.text)`", at: nameToken.range,
                             help: Suggestion.help(for: nameToken.text, among: names) ?? "limits are: " + names.joined(separator: ", "))
                return false
            }
            let value: LimitItem.Value
            switch kind.valueKind {
            case .bytes:
                guard let size = parser.wordLiteral("a size such as `64KiB`", code: .invalidByteSize, LiteralParser.byteSize) else { return false }
                value = .bytes(size)
            case .count:
                guard let count = parser.wordLiteral("a number", code: .invalidInteger, LiteralParser.integer) else { return false }
                value = .count(count)
            case .duration:
                guard let duration = parser.wordLiteral("a duration", code: .invalidDuration, LiteralParser.duration) else { return false }
                value = .duration(duration)
            }
            items.append(LimitItem(name: Spanned(nameToken.text, text: nameToken.text, range: nameToken.range), value: value,
                                   range: nameToken.range.through(parser.previousRange)))
            return true
        }
        return LimitsBlock(items: items, range: keyword.range.through(close))
    }

    // MARK: route

    /// `route = "route" name "{" { route_member } "}" ;`
    /// `route_member = when | "to" path_template | policy | dtab_block ;`
    mutating func parseRoute() -> RouteDecl? {
        let keyword = advance()
        guard let name = parseName("a route name") else { return nil }
        guard let open = expect(.leftBrace, "after the route name") else { return nil }
        var members: [RouteMember] = []
        let close = parseBlock("route", opening: open.range) { parser in
            guard let member = parser.parseRouteMember() else { return false }
            members.append(member)
            return true
        }
        return RouteDecl(name: name, members: members, range: keyword.range.through(close))
    }

    mutating func parseRouteMember() -> RouteMember? {
        if current.isWord("when") { return parseWhen().map(RouteMember.when) }
        if current.isWord("to") {
            let keyword = advance()
            guard current.kind == .path else {
                error(.expectedToken, "expected a path template after `to`, found \(describe(current))", at: current.range,
                      help: "e.g. `to /svc/users` or `to /svc/{host}`")
                return nil
            }
            guard let template = parseTemplate() else { return nil }
            return .to(Spanned(template.value, text: template.text, range: keyword.range.through(template.range)))
        }
        if current.isWord("dtab") { return parseDtabBlock().map(RouteMember.dtab) }
        if current.kind == .word, !PolicyItem.keywords.contains(current.text) {
            let word = current
            error(.unknownPolicy, "unknown route item `\(word.text)`", at: word.range,
                  help: Suggestion.help(for: word.text, among: ["when", "to", "dtab"] + PolicyItem.keywords)
                    ?? "a route holds `when`, `to`, `dtab { }` and policies (" + PolicyItem.keywords.joined(separator: ", ") + ")")
            return nil
        }
        return parsePolicyItem(inRoute: true).map(RouteMember.policy)
    }
}
