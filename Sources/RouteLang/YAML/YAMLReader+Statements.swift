import Yams

// MARK: - Top level

extension YAMLReader {
    mutating func readRoot(_ root: Node) {
        guard let pairs = mapping(root, "the rule file", allowed: YAMLSchema.top) else { return }
        for (key, keyRange, value) in pairs {
            switch key {
            case "listen":
                for item in sequence(value, "listeners") ?? [] {
                    if let decl = listener(item) { statements.append(.listen(decl)) }
                }
            case "admin":
                if let address = self.value(value, "an address", code: .invalidAddress, LiteralParser.address) {
                    statements.append(.admin(AdminDecl(address: address, range: keyRange.through(address.range))))
                }
            case "namers":
                for item in sequence(value, "namers") ?? [] {
                    if let decl = namer(item) { statements.append(.namer(decl)) }
                }
            case "identify":
                if let form = identify(value) {
                    statements.append(.identify(IdentifyDecl(form: form, range: keyRange.through(range(of: value)))))
                }
            case "dtab":
                if let entries = dtab(value) {
                    statements.append(.dtab(DtabBlock(entries: entries, range: keyRange.through(range(of: value)))))
                }
            case "defaults":
                if let items = policies(value, "defaults", allowed: YAMLSchema.policy) {
                    statements.append(.defaults(DefaultsBlock(items: items, range: keyRange.through(range(of: value)))))
                }
            case "limits":
                if let block = limits(value, keyRange) { statements.append(.limits(block)) }
            case "tracing":
                if let decl = tracing(value, keyRange) { statements.append(.tracing(decl)) }
            case "access-log":
                if let path = string(value, "a file for the access log, or \"-\" for standard output") {
                    statements.append(.accessLog(AccessLogDecl(path: path, range: keyRange.through(path.range))))
                }
            case "routes":
                for item in sequence(value, "routes") ?? [] {
                    if let decl = route(item) { statements.append(.route(decl)) }
                }
            default:
                for item in sequence(value, "splits") ?? [] {
                    if let decl = split(item) { statements.append(.split(decl)) }
                }
            }
        }
    }

    // MARK: Declarations

    mutating func limits(_ node: Node, _ keyRange: SourceRange) -> LimitsBlock? {
        guard let pairs = mapping(node, "limits", allowed: LimitItem.Kind.allCases.map(\.rawValue)) else { return nil }
        var items: [LimitItem] = []
        for (key, itemKeyRange, value) in pairs {
            guard let kind = LimitItem.Kind(rawValue: key) else { continue }
            let parsed: LimitItem.Value?
            switch kind.valueKind {
            case .bytes: parsed = self.value(value, "a size", code: .invalidByteSize, LiteralParser.byteSize).map(LimitItem.Value.bytes)
            case .count: parsed = self.value(value, "a number", code: .invalidInteger, LiteralParser.integer).map(LimitItem.Value.count)
            case .duration: parsed = self.value(value, "a duration", code: .invalidDuration, LiteralParser.duration).map(LimitItem.Value.duration)
            }
            if let parsed {
                items.append(LimitItem(name: Spanned(key, text: key, range: itemKeyRange), value: parsed,
                                       range: itemKeyRange.through(range(of: value))))
            }
        }
        return LimitsBlock(items: items, range: keyRange.through(range(of: node)))
    }

    mutating func listener(_ node: Node) -> ListenDecl? {
        guard let pairs = mapping(node, "a listener", allowed: YAMLSchema.listener) else { return nil }
        var address: Spanned<SocketAddress>?
        var allow: SourceRange?
        var tls: TLSSyntax?
        for (key, keyRange, value) in pairs {
            if key == "address" {
                address = self.value(value, "an address", code: .invalidAddress, LiteralParser.address)
            } else if key == "tls" {
                guard let files = mapping(value, "tls files", allowed: YAMLSchema.tls) else { continue }
                var cert: Spanned<String>?
                var keyFile: Spanned<String>?
                for (name, _, file) in files {
                    if name == "cert" { cert = string(file, "a PEM file") } else { keyFile = string(file, "a PEM file") }
                }
                guard let cert = require(cert, "cert", in: "tls", at: value), let keyFile = require(keyFile, "key", in: "tls", at: value) else {
                    continue
                }
                tls = TLSSyntax(cert: cert, key: keyFile, range: keyRange.through(range(of: value)))
            } else if bool(value, key) == true {
                allow = keyRange
            }
        }
        guard let address = require(address, "address", in: "a listener", at: node) else { return nil }
        return ListenDecl(address: address, allowDtabOverride: allow, tls: tls, range: range(of: node).through(address.range))
    }

    /// `tracing: {otlp: "http://127.0.0.1:4318", sample: 10%}`.
    mutating func tracing(_ node: Node, _ keyRange: SourceRange) -> TracingDecl? {
        guard let pairs = mapping(node, "tracing", allowed: YAMLSchema.tracing) else { return nil }
        var endpoint: (Spanned<String>, Spanned<String>)?
        var sample: Spanned<Double>?
        for (key, keyRange, value) in pairs {
            if key == "sample" {
                sample = self.value(value, "a percentage such as `10%`", code: .invalidPercentage, LiteralParser.ratio)
            } else if let url = string(value, "the collector's URL") {
                endpoint = (Spanned(key, text: key, range: keyRange), url)
            }
        }
        guard let endpoint = require(endpoint, "otlp", in: "tracing", at: node) else { return nil }
        return TracingDecl(exporter: endpoint.0, endpoint: endpoint.1, sample: sample, range: keyRange.through(range(of: node)))
    }

    mutating func namer(_ node: Node) -> NamerDecl? {
        guard let pairs = mapping(node, "a namer", allowed: YAMLSchema.namer) else { return nil }
        var name: Spanned<String>?
        var kind: (Spanned<NamerKind>, Spanned<String>)?
        var options: [NamerOption] = []
        for (key, keyRange, value) in pairs {
            if NamerKind.allCases.contains(where: { $0.options[key] != nil }), let text = string(value, "a value for `\(key)`") {
                options.append(NamerOption(key: Spanned(key, text: key, range: keyRange), value: text.value == "true" ? nil : text))
                continue
            }
            if key == "name" {
                name = string(value, "a namer name")
                if let given = name, !LiteralParser.isNamerName(given.value) {
                    parser.error(.invalidName, "invalid name `\(given.value)`", at: given.range,
                                 help: "a name starts with a letter and has only letters, digits, `_` and `-`; "
                                    + "a namer name may join such names with `.` (`io.l5d.fs`)")
                    name = nil
                }
            } else if let namerKind = NamerKind(rawValue: key), let argument = string(value, namerKind.argumentMeaning) {
                kind = (Spanned(namerKind, text: key, range: keyRange), argument)
            }
        }
        guard let name = require(name, "name", in: "a namer", at: node),
              let kind = require(kind, NamerKind.allCases.map(\.rawValue).joined(separator: " or "), in: "a namer", at: node) else {
            return nil
        }
        return NamerDecl(name: name, kind: kind.0, argument: kind.1, options: options, range: range(of: node).through(kind.1.range))
    }

    mutating func identify(_ node: Node) -> IdentifyForm? {
        if case .scalar(let scalar) = node {
            switch scalar.string {
            case "host": return .host
            case "method-host": return .methodHost
            default:
                parser.error(.unknownIdentifier, "unknown identifier `\(scalar.string)`", at: range(of: node),
                             help: Suggestion.help(for: scalar.string, among: ["host", "method-host"])
                                ?? "use `host`, `method-host`, or a mapping with `header`, `path` or `template`")
                return nil
            }
        }
        guard let pairs = mapping(node, "identify", allowed: YAMLSchema.identify) else { return nil }
        guard pairs.count == 1, let (key, _, value) = pairs.first else {
            parser.error(.yamlWrongType, "identify takes exactly one of `header`, `path` or `template`", at: range(of: node))
            return nil
        }
        switch key {
        case "header":
            guard let name = string(value, "a header name") else { return nil }
            guard LiteralParser.isToken(name.value) else {
                parser.error(.invalidHeaderName, "invalid header name \"\(name.value)\"", at: name.range)
                return nil
            }
            return .header(Spanned(name.value.lowercased(), text: name.text, range: name.range))
        case "path":
            return self.value(value, "a segment count", code: .invalidInteger, LiteralParser.integer).map(IdentifyForm.path)
        default:
            return template(value, "a path template").map(IdentifyForm.template)
        }
    }

    // MARK: Dtab

    /// The dtab is a string in Finagle syntax. It is parsed by the RouteLang
    /// dtab parser over a copy of the YAML text in which everything but the
    /// string's content is blanked, so every range is a real YAML position.
    mutating func dtab(_ node: Node) -> [DentrySyntax]? {
        guard case .scalar(let scalar) = node else {
            wrongType(node, expected: "a dtab string such as \"/svc => /#/disco;\"")
            return nil
        }
        let padded = SourceFile(name: source.name, text: paddedText(for: scalar, at: range(of: node).start))
        let lexed = Lexer.tokenize(padded)
        var sub = Parser(source: padded, tokens: lexed.tokens, diagnostics: Diagnostics())
        sub.diagnostics.append(contentsOf: lexed.diagnostics)
        let entries = sub.parseDentries(until: .endOfFile)
        parser.diagnostics.append(contentsOf: sub.diagnostics.items)
        return entries
    }

    /// The YAML file with only the scalar's content left in place. Block
    /// scalars (`|`) and one-line scalars hold their content verbatim in the
    /// file; anything else (escapes, folding) is laid at the scalar's start.
    func paddedText(for scalar: Node.Scalar, at start: Int) -> String {
        var bytes = source.bytes.map { $0 == UInt8(ascii: "\n") ? $0 : UInt8(ascii: " ") }
        let value = Array(scalar.string.utf8)
        let region: Range<Int>
        if scalar.style == .literal || scalar.style == .folded {
            let firstLine = source.location(of: start).line + 1
            var lastLine = firstLine - 1
            var indent: Int?
            for line in firstLine...max(firstLine, source.lineStarts.count) where line <= source.lineStarts.count {
                let text = source.lineText(line)
                if text.allSatisfy(\.isWhitespace) { continue }
                let lineIndent = text.prefix { $0 == " " }.count
                if indent == nil { indent = lineIndent }
                if lineIndent < indent! { break }
                lastLine = line
            }
            let lower = firstLine <= source.lineStarts.count ? source.lineStarts[firstLine - 1] : source.bytes.count
            let upper = lastLine >= firstLine ? source.offset(line: lastLine, column: source.lineText(lastLine).unicodeScalars.count + 1) : lower
            region = lower..<max(lower, upper)
        } else {
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            let lower = min(start + (quoted ? 1 : 0), source.bytes.count)
            region = lower..<min(lower + value.count, source.bytes.count)
        }
        let original = Array(source.bytes[region])
        let significant: (UInt8) -> Bool = { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }
        if original.filter(significant) == value.filter(significant) {
            bytes.replaceSubrange(region, with: original)
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(repeating: " ", count: start) + scalar.string
    }
}
