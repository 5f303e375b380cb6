#if canImport(Glibc)
import Glibc
#endif

// MARK: - http1-verdict: the request-head parser's verdict on files

/// For the differential run against Python's h11 (`bench/fuzz/h11-diff.sh`):
/// prints one tab-separated line per file: name, `accept`, `reject` or
/// `incomplete`, then the method, target and body framing of an accepted
/// head (`none`, `length:N`, `chunked`) or the refusal's status and reason.
@main
struct HTTP1Verdict {
    static func main() {
        let limits = HTTP1Limits(maxHeadBytes: 65536, maxRequestLineBytes: 65536, maxHeaderCount: 1000)
        for path in CommandLine.arguments.dropFirst() {
            guard let file = fopen(path, "rb") else { continue }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = fread(&buffer, 1, buffer.count, file)
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
            fclose(file)
            let name = path.split(separator: "/").last.map(String.init) ?? path
            switch RequestHeadParser(limits: limits).parse(bytes) {
            case .incomplete:
                print("\(name)\tincomplete")
            case .failure(let error):
                print("\(name)\treject\t\(error.status)\t\(error.kind)")
            case .complete(let head):
                let framing: String
                switch head.framing {
                case .none: framing = "none"
                case .contentLength(let length): framing = "length:\(length)"
                case .chunked: framing = "chunked"
                }
                // Targets hold visible ASCII only, never a tab.
                print("\(name)\taccept\t\(head.method)\t\(head.target)\t\(framing)")
            }
        }
    }

}
