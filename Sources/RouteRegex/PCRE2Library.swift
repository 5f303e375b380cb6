#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - PCRE2Library

/// The PCRE2 8-bit library, opened at run time.
///
/// Why dlopen and not a system-library target: a fresh Debian or Ubuntu
/// machine has the runtime library (`libpcre2-8-0`, which grep depends on) but
/// not the `-dev` package with the header and the `libpcre2-8.so` link name,
/// and the README's first command must build on such a machine. The few entry
/// points the route regexes need are declared here by their documented C
/// signatures (pcre2api(3)).
struct PCRE2Library: @unchecked Sendable {
    // Function pointers into a library that is never closed; hence @unchecked.

    typealias Compile = @convention(c) (
        UnsafePointer<UInt8>?, Int, UInt32, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int>?, OpaquePointer?
    ) -> OpaquePointer?
    typealias JITCompile = @convention(c) (OpaquePointer?, UInt32) -> Int32
    typealias Match = @convention(c) (
        OpaquePointer?, UnsafePointer<UInt8>?, Int, Int, UInt32, OpaquePointer?, OpaquePointer?
    ) -> Int32
    typealias MatchDataCreate = @convention(c) (UInt32, OpaquePointer?) -> OpaquePointer?
    typealias Free = @convention(c) (OpaquePointer?) -> Void
    typealias ContextCreate = @convention(c) (OpaquePointer?) -> OpaquePointer?
    typealias SetLimit = @convention(c) (OpaquePointer?, UInt32) -> Int32
    typealias ErrorMessage = @convention(c) (Int32, UnsafeMutablePointer<UInt8>?, Int) -> Int32

    // MARK: Constants (pcre2.h)

    static let utf: UInt32 = 0x0008_0000
    static let ucp: UInt32 = 0x0002_0000
    static let noUTFCheck: UInt32 = 0x4000_0000
    static let jitComplete: UInt32 = 0x0000_0001

    // MARK: Entry points

    let compile: Compile
    let jitCompile: JITCompile
    let match: Match
    let jitMatch: Match
    let matchDataCreate: MatchDataCreate
    let matchDataFree: Free
    let codeFree: Free
    let matchContextCreate: ContextCreate
    let setMatchLimit: SetLimit
    let errorMessage: ErrorMessage

    /// The soname a Debian or Ubuntu machine installs.
    static let soname = "libpcre2-8.so.0"

    /// The library, or why it could not be opened (reported by the checker).
    static let shared: Result<PCRE2Library, RouteRegex.Unavailable> = open()

    private static func open() -> Result<PCRE2Library, RouteRegex.Unavailable> {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(RouteRegex.Unavailable(reason: reason))
        }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let compile = symbol("pcre2_compile_8", as: Compile.self),
              let jitCompile = symbol("pcre2_jit_compile_8", as: JITCompile.self),
              let match = symbol("pcre2_match_8", as: Match.self),
              let jitMatch = symbol("pcre2_jit_match_8", as: Match.self),
              let matchDataCreate = symbol("pcre2_match_data_create_8", as: MatchDataCreate.self),
              let matchDataFree = symbol("pcre2_match_data_free_8", as: Free.self),
              let codeFree = symbol("pcre2_code_free_8", as: Free.self),
              let matchContextCreate = symbol("pcre2_match_context_create_8", as: ContextCreate.self),
              let setMatchLimit = symbol("pcre2_set_match_limit_8", as: SetLimit.self),
              let errorMessage = symbol("pcre2_get_error_message_8", as: ErrorMessage.self)
        else {
            return .failure(RouteRegex.Unavailable(reason: "\(soname) lacks an expected pcre2 entry point"))
        }
        return .success(PCRE2Library(
            compile: compile, jitCompile: jitCompile, match: match, jitMatch: jitMatch,
            matchDataCreate: matchDataCreate, matchDataFree: matchDataFree, codeFree: codeFree,
            matchContextCreate: matchContextCreate, setMatchLimit: setMatchLimit, errorMessage: errorMessage))
    }

    /// PCRE2's text for an error code.
    func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = errorMessage(code, &buffer, buffer.count)
        return length > 0 ? String(decoding: buffer.prefix(Int(length)), as: UTF8.self) : "error \(code)"
    }
}
