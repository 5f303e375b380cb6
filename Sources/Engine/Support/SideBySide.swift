import Dispatch

// MARK: - SideBySide

/// Runs two independent computations at once and waits for both: the
/// second on a Dispatch worker, the first on the calling thread. Lint uses
/// it so a large rule file is checked on one core while it is compiled and
/// searched for delegation loops on the other.
enum SideBySide {
    static func run<First, Second: Sendable>(_ first: () -> First, _ second: @escaping @Sendable () -> Second) -> (First, Second) {
        let box = Box<Second>()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { box.value = second() }
        let firstValue = first()
        group.wait()
        // `wait` returns after the worker's write, so the read sees it.
        guard let secondValue = box.value else { fatalError("SideBySide: the second computation did not finish") }
        return (firstValue, secondValue)
    }

    /// Where the worker leaves its result. Written once by the worker and
    /// read only after `DispatchGroup.wait`, which orders the two.
    private final class Box<Value>: @unchecked Sendable {
        var value: Value?
    }
}
