// MARK: - RouteRegex

/// A route's regular expression: PCRE2 syntax, matched on the UTF-8 bytes of
/// the path or header value, JIT-compiled where the machine allows it.
///
/// Why PCRE2 and not NSRegularExpression: ICU matching with String bridging
/// kept Foundation and ICU in the routing decision, and moving to PCRE2's JIT
/// on the request's bytes saved about 2,500 instructions per regex test
/// (callgrind, bench route-loop). Both speak Perl's syntax, with `\d`, `\w`
/// and `\s` Unicode-aware (PCRE2_UCP) as in ICU.
///
/// A match that needs more than `matchLimit` backtracking steps is counted as
/// no match: a client controls the subject, and a pathological pattern must
/// not let one request hold an event loop.
public final class RouteRegex: @unchecked Sendable {
    // The compiled code is immutable after init and PCRE2 documents it as
    // safe to match from several threads at once; hence @unchecked.

    /// Why a pattern cannot be used, in PCRE2's words.
    public struct CompileError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Backtracking steps one match may take (PCRE2's default is 10,000,000).
    public static let matchLimit: UInt32 = 100_000

    public let pattern: String
    private let library: PCRE2Library
    private let code: OpaquePointer
    private let jitted: Bool

    /// Compiles `pattern`; throws PCRE2's message and the offset it points at,
    /// or that the library is missing. `jit: false` is for checking only.
    public init(_ pattern: String, jit: Bool = true) throws(CompileError) {
        let library: PCRE2Library
        switch PCRE2Library.shared {
        case .success(let opened): library = opened
        case .failure(let unavailable): throw CompileError(description: unavailable.description)
        }
        var errorCode: Int32 = 0
        var errorOffset = 0
        var source = pattern
        let compiled = source.withUTF8 { bytes in
            Self.withStart(bytes) {
                library.compile($0, bytes.count, PCRE2Library.utf | PCRE2Library.ucp, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw CompileError(description: "\(library.message(for: errorCode)) at offset \(errorOffset)")
        }
        self.pattern = pattern
        self.library = library
        self.code = compiled
        // JIT can be refused (no executable memory); the interpreter then matches.
        self.jitted = jit && library.jitCompile(compiled, PCRE2Library.jitComplete) == 0
    }

    deinit { library.codeFree(code) }

    /// Whether the pattern matches anywhere in `text` (anchor it to match the whole).
    public func matches(_ text: String) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable({ matches(bytes: $0) }) { return found }
        return Array(text.utf8).withUnsafeBufferPointer { matches(bytes: $0) }
    }

    /// Whether the pattern matches anywhere in `bytes`, which must be valid UTF-8.
    private func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let matchData = library.matchDataCreate(1, nil) else { return false }
        defer { library.matchDataFree(matchData) }
        // Swift strings are valid UTF-8, so PCRE2 need not check again.
        let result = Self.withStart(bytes) { subject in
            jitted
                ? library.jitMatch(code, subject, bytes.count, 0, PCRE2Library.noUTFCheck, matchData, Self.context.pointer)
                : library.match(code, subject, bytes.count, 0, PCRE2Library.noUTFCheck, matchData, Self.context.pointer)
        }
        // 0 means a match whose groups did not fit in the one-pair match data.
        return result >= 0
    }

    // MARK: Shared state

    /// Calls `body` with a non-NULL start for `bytes`: PCRE2 before 10.43
    /// rejects a NULL subject or pattern even when its length is 0.
    private static func withStart<T>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafePointer<UInt8>) -> T) -> T {
        if let start = bytes.baseAddress { return body(start) }
        var zero: UInt8 = 0
        return withUnsafePointer(to: &zero) { body($0) }
    }

    /// The match context carrying `matchLimit`, read-only once made.
    private struct MatchContext: @unchecked Sendable {
        let pointer: OpaquePointer?
    }

    private static let context: MatchContext = {
        guard case .success(let library) = PCRE2Library.shared,
              let context = library.matchContextCreate(nil) else { return MatchContext(pointer: nil) }
        _ = library.setMatchLimit(context, matchLimit)
        return MatchContext(pointer: context)
    }()
}

// MARK: - Unavailable

extension RouteRegex {
    /// The library could not be opened: every regex condition is then rejected
    /// at check time with this reason, instead of silently matching nothing.
    struct Unavailable: Error, Sendable, CustomStringConvertible {
        let reason: String

        var description: String {
            "regular expressions need \(PCRE2Library.soname) (Debian and Ubuntu package libpcre2-8-0): \(reason)"
        }
    }
}
