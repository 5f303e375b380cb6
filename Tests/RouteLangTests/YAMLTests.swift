import RouteLang
import XCTest

// MARK: - YAMLTests

final class YAMLTests: XCTestCase {
    /// The hardening limits and the upgrade policy read the same in both syntaxes.
    func testHardeningLimitsAndUpgradesInBothSyntaxes() throws {
        let routes = Support.lint("""
            limits {
              max-body-size 8MiB
              body-idle-timeout 5s
              delegation-budget 500
              retry-body-size 16KiB
              h2-idle-timeout 2m
              h2-keepalive 45s
            }
            route r {
              to /svc/a
              upgrade none
              accrual consecutive 3 fail-fast
            }
            """)
        let yaml = Support.lint("""
            limits:
              max-body-size: 8MiB
              body-idle-timeout: 5s
              delegation-budget: 500
              retry-body-size: 16KiB
              h2-idle-timeout: 2m
              h2-keepalive: 45s
            routes:
              - name: r
                to: /svc/a
                upgrade: [none]
                accrual: {consecutive: 3, fail-fast: true}
            """, name: "t.yaml")
        let config = try XCTUnwrap(routes.config)
        XCTAssertEqual(config, try XCTUnwrap(yaml.config))
        XCTAssertEqual(config.limits?.maxBodySize, 8 << 20)
        XCTAssertEqual(config.limits?.bodyIdleTimeout, .seconds(5))
        XCTAssertEqual(config.limits?.delegationBudget, 500)
        XCTAssertEqual(config.limits?.retryBodySize, 16 << 10)
        XCTAssertEqual(config.limits?.h2IdleTimeout, .seconds(120))
        XCTAssertEqual(config.limits?.h2Keepalive, .seconds(45))
        XCTAssertEqual(ServerLimits().h2Keepalive, .seconds(300), "gRPC servers refuse PINGs more often than every 5 minutes")
        XCTAssertTrue(config.routes[0].policy.accrual.failFast)
        XCTAssertFalse(config.defaults.accrual.failFast)
        XCTAssertEqual(config.routes[0].policy.upgrades, [])
        XCTAssertEqual(config.defaults.upgrades, ["websocket"])
    }

    /// An etcd namer's quoted prefix survives fmt and conversion both ways.
    func testEtcdNamerInBothSyntaxesAndThroughConversion() throws {
        let text = """
            namer e = etcd "http://127.0.0.1:2379" prefix "/services/"
            identify host
            dtab { /svc => /#/e; }
            """
        let routes = Support.lint(text)
        let config = try XCTUnwrap(routes.config)
        XCTAssertEqual(config.namers, [NamerConfig(name: "e", kind: .etcd, argument: "http://127.0.0.1:2379", options: ["prefix": "/services/"])])
        XCTAssertTrue(Formatter.format(routes.file).contains(#"namer e = etcd "http://127.0.0.1:2379" prefix "/services/""#))
        let yaml = try YAMLEmitter.emit(routes.file)
        XCTAssertTrue(yaml.contains("prefix: /services/"), yaml)
        let fromYAML = Support.lint(yaml, name: "t.yaml")
        XCTAssertEqual(try XCTUnwrap(fromYAML.config).namers, config.namers)
        let back = Support.lint(Formatter.format(fromYAML.file, layout: .generated))
        XCTAssertEqual(try XCTUnwrap(back.config, "\(back.diagnostics)").namers, config.namers)
    }

    /// A TLS listener and an upstream protocol read the same in both syntaxes and survive fmt and conversion.
    func testTLSListenerAndProtocolInBothSyntaxesAndThroughConversion() throws {
        let text = """
            listen 127.0.0.1:4143 tls cert "certs/proxy.pem" key "certs/proxy.key"
            identify host
            dtab { /svc => /$/inet/127.0.0.1/8080; }
            defaults {
              protocol h2
            }
            """
        let routes = Support.lint(text)
        let config = try XCTUnwrap(routes.config, "\(routes.diagnostics)")
        XCTAssertEqual(config.listeners.first?.tls, TLSFiles(cert: "certs/proxy.pem", key: "certs/proxy.key"))
        XCTAssertEqual(config.defaults.upstream, .h2)
        XCTAssertTrue(Formatter.format(routes.file).contains(#"listen 127.0.0.1:4143 tls cert "certs/proxy.pem" key "certs/proxy.key""#))
        let fromYAML = Support.lint(try YAMLEmitter.emit(routes.file), name: "t.yaml")
        XCTAssertEqual(try XCTUnwrap(fromYAML.config, "\(fromYAML.diagnostics)").listeners, config.listeners)
        XCTAssertEqual(fromYAML.config?.defaults.upstream, .h2)
        let back = Support.lint(Formatter.format(fromYAML.file, layout: .generated))
        XCTAssertEqual(try XCTUnwrap(back.config, "\(back.diagnostics)").listeners, config.listeners)
        let missingKey = Support.lint("listen 127.0.0.1:4143 tls cert \"c.pem\"\nidentify host\ndtab { /svc => /$/inet/127.0.0.1/8080; }\n")
        XCTAssertTrue(missingKey.diagnostics.items.contains { $0.message.contains("expected `key` after `tls cert`") }, "\(missingKey.diagnostics.items)")
    }

    /// Tracing and the access log read the same in both syntaxes and survive fmt and conversion.
    func testTracingAndAccessLogInBothSyntaxes() throws {
        let routes = Support.lint("""
            tracing otlp "http://127.0.0.1:4318" sample 10%
            access-log "/var/log/switchyard/access.jsonl"
            """)
        let yaml = Support.lint("""
            tracing: {otlp: "http://127.0.0.1:4318", sample: 10%}
            access-log: /var/log/switchyard/access.jsonl
            """, name: "t.yaml")
        let config = try XCTUnwrap(routes.config, "\(routes.diagnostics)")
        XCTAssertEqual(config, try XCTUnwrap(yaml.config, "\(yaml.diagnostics)"))
        XCTAssertEqual(config.tracing, TracingConfig(endpoint: "http://127.0.0.1:4318", sampleRatio: 0.1))
        XCTAssertEqual(config.accessLog, "/var/log/switchyard/access.jsonl")
        XCTAssertEqual(Formatter.format(routes.file), """
            tracing otlp "http://127.0.0.1:4318" sample 10%
            access-log "/var/log/switchyard/access.jsonl"

            """)
        let back = Support.lint(try YAMLEmitter.emit(routes.file), name: "t.yaml")
        XCTAssertEqual(back.config, config)
        XCTAssertNil(Support.lint("tracing otlp \"http://127.0.0.1:4318\"").config?.tracing.map { $0.sampleRatio == 1 ? nil : $0 } ?? nil,
                     "sample defaults to 100%")
    }

    func testUnknownKeyHasDidYouMean() {
        let result = Support.lint("listen:\n  - adress: 127.0.0.1:4140\n", name: "t.yaml")
        let diagnostic = result.diagnostics.items.first { $0.code == .yamlUnknownKey }
        XCTAssertEqual(diagnostic?.help, "did you mean `address`?")
        XCTAssertEqual(result.source.location(of: diagnostic?.range.start ?? 0), SourceLocation(line: 2, column: 5))
    }

    func testDtabErrorsPointIntoTheYAMLFile() {
        let text = """
            namers:
              - name: disco
                files: d
            dtab: |
              /svc => /#/disco;
              /svc/a => /#/dsico/a;
            """
        let result = Support.lint(text, name: "t.yaml")
        XCTAssertEqual(Support.lines(result).filter { $0.contains("error[") },
                       ["6:13: error[RL0206]: unknown namer `dsico` in `/#/dsico/a`"])
    }

    func testOneLineDtabAndQuotedScalars() throws {
        let config = try XCTUnwrap(Support.compile("""
            listen:
              - address: "127.0.0.1:4140"
            namers: [{name: disco, files: d}]
            identify: {header: X-Service}
            dtab: "/svc => /#/disco; /svc/a => 2 * /#/disco/a & /#/disco/b"
            """, name: "t.yaml"))
        XCTAssertEqual(config.dtab.show, "/svc=>/#/disco;/svc/a=>2.00*/#/disco/a & /#/disco/b")
        XCTAssertEqual(config.identification?.description, "/svc/{header:x-service}")
    }

    func testConditionsAndNegation() throws {
        let config = try XCTUnwrap(Support.compile("""
            listen: [{address: 127.0.0.1:4140}]
            namers: [{name: disco, files: d}]
            dtab: /svc => /#/disco
            routes:
              - name: r
                when:
                  - - host: "*.example.com"
                    - method: [GET]
                    - not: {header: x-dry-run}
                    - header: {name: x-env, matches: "^stag"}
                    - query: {name: v, equals: "2"}
                to: /svc/r
            """, name: "t.yaml"))
        XCTAssertEqual(config.routes[0].clauses[0], [
            Condition(.host(.wildcard(suffix: ".example.com"))), Condition(.methods(["GET"])),
            Condition(.headerPresent("x-dry-run"), negated: true), Condition(.headerMatches("x-env", "^stag")),
            Condition(.queryEquals("v", "2")),
        ])
    }

    func testWrongTypesAreErrorsNotCrashes() {
        for text in ["[]", "listen: {address: 1}", "routes: [1, 2]", "defaults: {retry: 3}", "dtab: [a]", "splits: [{path: x}]"] {
            let result = Support.lint(text, name: "t.yaml")
            XCTAssertTrue(result.hasErrors, text)
        }
    }
}
