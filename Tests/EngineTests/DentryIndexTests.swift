@testable import Engine
import RouteLang
import XCTest

// MARK: - DentryIndexTests

/// The dentry index must find exactly the dentries a scan finds, in the
/// same last-first order, and delegation through it must bind the same.
final class DentryIndexTests: XCTestCase {
    func testMatchesWhatAScanFindsInFinaglesOrder() throws {
        let dtab = try Support.dtab("""
            /svc => /#/n; /svc/* => /#/any; /svc/users => /#/n/u; /svc/*/v1 => /#/v1;
            /svc/users => /#/n/u2; / => /#/root; /other => /#/o; /svc/users/v1 => /#/exact
            """)
        let index = DentryIndex(dtab.dentries)
        for text in ["/svc/users/v1/x", "/svc/users", "/svc/pay/v1", "/svc", "/other/a", "/nothing", "/"] {
            let path = try Support.path(text)
            let scanned = dtab.dentries.indices.reversed().filter { dtab.dentries[$0].match(path) != nil }
            XCTAssertEqual(index.matching(path), Array(scanned), text)
        }
    }

    func testRandomDtabsAgreeWithTheScan() throws {
        var generator = SystemRandomNumberGenerator()
        let labels = ["a", "b", "c"]
        for _ in 0..<200 {
            let dentries = (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                Dentry(prefix: (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                    Bool.random(using: &generator) && Bool.random(using: &generator) ? .any : .label(labels.randomElement(using: &generator)!)
                }, tree: .neg)
            }
            let index = DentryIndex(dentries)
            for _ in 0..<10 {
                let path = Path((0..<Int.random(in: 0...4, using: &generator)).map { _ in labels.randomElement(using: &generator)! })
                let scanned = dentries.indices.reversed().filter { dentries[$0].match(path) != nil }
                XCTAssertEqual(index.matching(path), Array(scanned), "\(Dtab(dentries).show) \(path.show)")
            }
        }
    }

    func testDelegationWithTheIndexBindsLikeWithout() throws {
        // The file's dtab is indexed; a route's own dentries and an override come after it and win.
        var dentries = (0..<500).map { "/svc/s\($0) => /#/n/s\($0 % 7)" }
        dentries.append("/svc/s3 => /$/fail")
        let file = try Support.dtab(dentries.joined(separator: ";"))
        let route = try Support.dtab("/svc/s4 => /#/n/route")
        let override = try Support.dtab("/svc/s5 => /#/n/override")
        let dtab = file + route + override
        let index = DentryIndex(file.dentries)
        for name in ["/svc/s1/x", "/svc/s3", "/svc/s4", "/svc/s5/y", "/svc/none"] {
            let path = try Support.path(name)
            let plain = Delegator(dtab: dtab, namers: Support.namers).bind(path, tracing: false)
            let indexed = Delegator(dtab: dtab, namers: Support.namers, index: index).bind(path, tracing: false)
            XCTAssertEqual(indexed.tree, plain.tree, name)
            XCTAssertEqual(indexed.outcome, plain.outcome, name)
        }
    }
}
