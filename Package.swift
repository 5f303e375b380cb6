// swift-tools-version:6.1
import PackageDescription

/// Switchyard: a service-mesh proxy whose routing is policy-as-data.
/// Dependencies are added when the work that needs them starts (see ARCHITECTURE.md).

/// The SwiftNIO pieces the data plane, the CLI and the socket tests share.
let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "Logging", package: "swift-log"),
]

let package = Package(
    name: "switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "RouteLang", targets: ["RouteLang"]),
        .library(name: "Engine", targets: ["Engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.38.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.3.0"),
        // OTLP over HTTP only: the gRPC exporter (the default trait too) would build grpc-swift for nothing.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // Pure language front end: source -> tokens -> AST -> checked model -> IR. No I/O.
        .target(name: "RouteLang", dependencies: ["RouteRegex", .product(name: "Yams", package: "Yams")]),
        // Route regexes: PCRE2 (JIT) opened at run time from the runtime library a fresh machine has.
        .target(name: "RouteRegex"),
        // glibc's resolver (resolv.h, libresolv from libc6-dev), for the dns namer.
        .systemLibrary(name: "CResolv", path: "Sources/CResolv"),
        // Routing core: naming, decision tree, policies. Knows nothing of NIO.
        .target(name: "Engine", dependencies: ["RouteLang", "RouteRegex", "CResolv"]),
        // Data plane and runtime: SwiftNIO server, forwarding, admin, reload, lifecycle.
        .target(
            name: "Proxy",
            dependencies: ["RouteLang", "Engine"] + nio + [
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // HTTP/2 on the listeners (h2c with prior knowledge).
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                // TLS listeners (h2 and HTTP/1.1 by ALPN).
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // The etcd namer and config source (etcd's JSON gateway), off the request path.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // Spans per request and attempt, exported over OTLP/HTTP off the request path.
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ]
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: ["RouteLang", "Engine", "Proxy"] + nio + [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Release-mode benchmark runner (bench/): lint and routing benchmarks.
        .executableTarget(name: "switchyard-bench", dependencies: ["RouteLang", "Engine", "Proxy"], path: "bench/Sources/switchyard-bench"),
        .testTarget(name: "RouteRegexTests", dependencies: ["RouteRegex"]),
        .testTarget(name: "RouteLangTests", dependencies: ["RouteLang"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "RouteLang"]),
        .testTarget(name: "ProxyTests", dependencies: ["Proxy", "Engine", "RouteLang"] + nio),
        .testTarget(name: "CLITests", dependencies: ["RouteLang", "Proxy"]),
        // Real sockets on 127.0.0.1: the proxy, test backends, curl and raw clients.
        .testTarget(name: "IntegrationTests", dependencies: ["Proxy", "Engine", "RouteLang",
                                                            .product(name: "NIOHTTP2", package: "swift-nio-http2")] + nio,
                    // Python peers the tests run (grpcio, h2), not sources.
                    exclude: ["Scripts"]),
    ],
    swiftLanguageModes: [.v6]
)
