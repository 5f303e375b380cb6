// MARK: - libFuzzer entry point

/// Compiled together with the RouteLang sources (without the YAML front end,
/// whose C library is not instrumented) by `bench/fuzz/run.sh`.
///
/// Properties checked on every input: the front end never crashes or hangs;
/// a file that parses formats to text that parses again to the same IR.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouteLang(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let source = SourceFile(name: "fuzz.routes", text: text)
    let (file, diagnostics) = Parser.parse(source)
    _ = DiagnosticRenderer().render(diagnostics.sorted, in: source)
    if !diagnostics.hasErrors {
        _ = Checker.check(file)
        let config = Compiler.compile(file)
        let formatted = Formatter.format(file)
        let (again, againDiagnostics) = Parser.parse(SourceFile(name: "fmt.routes", text: formatted))
        if againDiagnostics.hasErrors {
            fatalError("formatted text does not parse: \(againDiagnostics.items.map(\.message))\n\(formatted)")
        }
        if Compiler.compile(again) != config {
            fatalError("formatting changed the IR:\n\(text)\n---\n\(formatted)")
        }
    }
    _ = DtabParser.parseDtab(text)
    _ = DtabParser.parseTree(text)
    return 0
}
