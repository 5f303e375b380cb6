// MARK: - RuleFileGenerator

/// Generates large, realistic rule files for benchmarks: every route has a
/// distinct host, a path prefix, and a mix of wildcard hosts, methods,
/// headers, regexes and per-route policies.
enum RuleFileGenerator {
    static func routes(count: Int) -> String {
        var out = """
            listen 127.0.0.1:4140
            admin 127.0.0.1:9990
            namer disco = files "examples/disco"
            identify host

            dtab {
              /svc => /#/disco;
              /svc/canary => 0.95 * /#/disco/v1 & 0.05 * /#/disco/v2;
              /svc/pay => /#/disco/pay-eu | /#/disco/pay-us;
            }

            defaults {
              timeout 10s
              retry on 5xx, connect-error limit 2 budget 20% min 10/s
              accrual consecutive 7 backoff 1s..60s
              balance peak-ewma decay 10s
            }


            """
        out.reserveCapacity(count * 220)
        for index in 0..<count {
            out += "route r\(index) {\n"
            out += "  when host \"svc\(index).example.com\" and path prefix \"/api/v\(index % 7)/\(index)/\"\n"
            switch index % 4 {
            case 0: out += "  when host \"*.svc\(index).example.com\" and method GET, HEAD\n"
            case 1: out += "  when host \"svc\(index).example.com\" and header \"x-env\" == \"staging\" and not header \"x-dry-run\"\n"
            case 2: out += "  when host \"svc\(index).example.com\" and path regex \"/v[0-9]+/items/\(index)/[a-z]+\"\n"
            default: out += "  when host \"svc\(index).example.com\" and query \"tenant\" == \"t\(index % 100)\"\n"
            }
            out += "  to /svc/svc\(index)/{path:1}\n"
            if index % 3 == 0 { out += "  timeout 2s\n" }
            if index % 3 == 0 || index % 5 == 0 { out += "  attempt-timeout 300ms\n" }
            if index % 5 == 0 { out += "  retry on 503, connect-error, attempt-timeout limit 3\n" }
            if index % 11 == 0 { out += "  dtab {\n    /svc/svc\(index) => /#/disco/staging-\(index);\n  }\n" }
            out += "}\n\n"
        }
        return out
    }
}
