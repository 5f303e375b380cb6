// MARK: - libFuzzer entry point: delegation

/// Compiled with the RouteLang sources and the Engine's naming sources by
/// `bench/fuzz/run.sh`. An input is three lines: a dtab, an `l5d-dtab`
/// override (may be empty) and a path.
///
/// Properties checked on every input: binding never crashes; it visits at
/// most the work budget's nodes (plus the one that exceeds it), so every
/// resolution ends within the budget whatever the dtab; an error leaves no
/// bound tree; the trace renders.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDelegation(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    guard lines.count == 3,
          case .success(let dtab) = DtabParser.parseDtab(lines[0]),
          case .success(let path) = DtabParser.parsePath(lines[2]) else { return 0 }
    var effective = dtab
    if !lines[1].isEmpty {
        guard case .success(let override) = DtabParser.parseDtab(lines[1]) else { return 0 }
        effective = dtab + override
    }
    let budget = 2_000
    let resolution = Delegator(dtab: effective, namers: NamerTable(["n": FuzzNamer()]), budget: budget).bind(path)
    precondition(resolution.steps <= budget + 1, "binding visited \(resolution.steps) nodes, budget \(budget)")
    if resolution.error != nil { precondition(resolution.tree == .neg, "an error left a bound tree") }
    _ = resolution.trace.outcome
    _ = resolution.tree.show
    return 0
}

/// `/#/n/a` and `/#/n/b` bind, `/#/n/r/…` rewrites to `/r/…` (back into the
/// dtab), `/#/n/x` fails; anything else is neg.
struct FuzzNamer: Namer {
    func lookup(_ path: Path) throws(NamerFailure) -> NameTree<NamerResult> {
        switch path.labels.first {
        case "a", "b": return .leaf(.bound(BoundName(id: Path(["#", "n", path.labels[0]]), endpoints: [])))
        case "r": return .leaf(.path(Path(["r"] + path.labels.dropFirst())))
        case "x": throw NamerFailure("unreachable")
        default: return .neg
        }
    }
}
