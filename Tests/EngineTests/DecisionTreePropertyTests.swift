import Engine
import RouteLang
import XCTest

// MARK: - DecisionTreePropertyTests

/// Over random route sets and random requests, the compiled tree picks
/// exactly the route a linear scan for the most specific match picks.
final class DecisionTreePropertyTests: XCTestCase {
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ options: [T]) -> T { options[Int(next() % UInt64(options.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    }

    static let hosts = ["a.example.com", "b.example.com", "x.a.example.com", "example.com", "other.org"]
    static let paths = ["/", "/users", "/users/42", "/users/admins/1", "/items/7", "/usersx", "/a/b/c"]

    func randomCondition(_ random: inout Random) -> Condition {
        let test: ConditionTest
        switch random.next() % 9 {
        case 0: test = .host(HostPattern(random.pick(Self.hosts)))
        case 1: test = .host(HostPattern(random.pick(["*.example.com", "*.a.example.com", "*.org"])))
        case 2: test = .path(random.pick(Self.paths))
        case 3: test = .pathPrefix(random.pick(["/", "/users", "/users/", "/users/admins", "/a/b", "/items"]))
        case 4: test = .pathRegex(random.pick(["/users/[0-9]+", "/items/.*", "/a/.*"]))
        case 5: test = .methods(random.pick([["GET"], ["POST"], ["GET", "HEAD"]]))
        case 6: test = .headerPresent(random.pick(["x", "y"]))
        case 7: test = .headerEquals(random.pick(["x", "y"]), random.pick(["1", "2"]))
        default: test = .queryEquals("v", random.pick(["1", "2"]))
        }
        return Condition(test, negated: random.chance(10))
    }

    func testCompiledTreeAgreesWithLinearScan() {
        var random = Random(state: 42)
        var compared = 0
        var matched = 0
        for _ in 0..<200 {
            let routes = (0..<Int(1 + random.next() % 40)).map { index -> RouteConfig in
                let clauses = (0..<Int(random.next() % 3)).map { _ in
                    (0..<Int(1 + random.next() % 3)).map { _ in randomCondition(&random) }
                }
                return RouteConfig(name: "r\(index)", clauses: clauses, target: PathTemplate(Path("svc", "r\(index)")),
                                   dtab: Dtab(), policy: .builtIn)
            }
            let tree = DecisionTree(routes: routes)
            for _ in 0..<50 {
                var headers: [RequestFacts.Header] = []
                if random.chance(50) { headers.append(RequestFacts.Header("x", random.pick(["1", "2"]))) }
                if random.chance(50) { headers.append(RequestFacts.Header("y", random.pick(["1", "2"]))) }
                let query = random.chance(50) ? "?v=\(random.pick(["1", "2"]))" : ""
                let request = RequestFacts(method: random.pick(["GET", "POST", "HEAD"]),
                                           target: "http://\(random.pick(Self.hosts))\(random.pick(Self.paths))\(query)",
                                           headers: headers)
                let expected = tree.linearMatch(request)
                XCTAssertEqual(tree.match(request), expected, "\(request)")
                compared += 1
                if expected != nil { matched += 1 }
            }
        }
        XCTAssertEqual(compared, 10_000)
        XCTAssertGreaterThan(matched, 2_000, "the random requests must exercise matches, not only misses")
    }
}
