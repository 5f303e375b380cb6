import Engine

// MARK: - EtcdWatch

/// Keeps one etcd key range current for as long as its task runs: lists
/// it, watches from the revision after, resumes the watch from the last
/// revision seen after a disconnect (an etcd restart loses nothing), and
/// lists again when that revision was compacted away.
enum EtcdWatch {
    enum Event: Sendable {
        /// The range as of its revision (after a list, a change, or a resumed watch).
        case current(EtcdKeyspace)
        /// etcd cannot be asked now; the watch tries again with backoff.
        case unreachable(String)
    }

    static func run(_ client: EtcdClient, key: String, rangeEnd: [UInt8]?, publish: @Sendable (Event) -> Void) async {
        var keyspace: EtcdKeyspace?
        var delay: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                if keyspace == nil {
                    let listing = try await client.range(key, rangeEnd: rangeEnd)
                    keyspace = EtcdKeyspace(values: Dictionary(listing.kvs.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }),
                                            revision: listing.revision)
                }
                var current = keyspace!
                let from = current.revision + 1
                try await client.watch(key, rangeEnd: rangeEnd, from: from, onOpen: {
                    delay = .milliseconds(100)
                    publish(.current(current))
                }, onChanges: { changes in
                    current.apply(changes)
                    keyspace = current
                    publish(.current(current))
                })
            } catch is CancellationError {
                return
            } catch EtcdError.compacted {
                keyspace = nil
            } catch {
                if Task.isCancelled { return }
                publish(.unreachable((error as? EtcdError)?.description ?? "\(error)"))
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}
