import CResolv
import Foundation

// MARK: - DNSResolver

/// A/AAAA and SRV look-ups through glibc's resolver (`res_nquery`, answers
/// read with `ns_initparse`/`ns_parserr`), blocking: call it off the event
/// loops. `server` overrides /etc/resolv.conf (a test's dnsmasq).
public enum DNSResolver {
    public struct Record: Sendable, Hashable {
        public var host: String
        public var port: Int?
        public var weight: Double
        /// Seconds the answer may be kept.
        public var ttl: UInt32
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public enum Kind: Sendable {
        case address
        case service
    }

    /// The records for `name`: A and AAAA (`address`), or SRV with their
    /// targets' addresses (`service`). An empty list means the name does
    /// not exist (NXDOMAIN or no data): the source says the service is gone.
    public static func resolve(_ name: String, kind: Kind, server: (host: String, port: Int)? = nil) throws(Failure) -> [Record] {
        switch kind {
        case .address:
            return try addresses(name, server: server)
        case .service:
            var result: [Record] = []
            for srv in try query(name, type: ns_t_srv, server: server) {
                for address in try addresses(srv.host, server: server) {
                    result.append(Record(host: address.host, port: srv.port, weight: srv.weight, ttl: min(srv.ttl, address.ttl)))
                }
            }
            return result
        }
    }

    /// A and AAAA records. A name with IPv4 addresses does not fail for want
    /// of IPv6 ones (a resolver may refuse the AAAA question it cannot answer).
    static func addresses(_ name: String, server: (host: String, port: Int)?) throws(Failure) -> [Record] {
        let v4: [Record]
        do {
            v4 = try query(name, type: ns_t_a, server: server)
        } catch {
            if let v6 = try? query(name, type: ns_t_aaaa, server: server), !v6.isEmpty { return v6 }
            throw error
        }
        return v4 + ((try? query(name, type: ns_t_aaaa, server: server)) ?? [])
    }

    static func query(_ name: String, type: ns_type, server: (host: String, port: Int)?) throws(Failure) -> [Record] {
        guard let state = sy_res_new() else { throw Failure(description: "cannot allocate a resolver") }
        defer { sy_res_free(state) }
        guard sy_res_init(state) == 0 else { throw Failure(description: "cannot initialise the resolver") }
        sy_res_tries(state, 2, 1)
        var answer = [UInt8](repeating: 0, count: 4096)
        let length: Int32
        if let server {
            // A resolver given by address: glibc builds the query and parses
            // the answer; the one UDP exchange is ours, since res_nquery
            // keeps to the servers of /etc/resolv.conf.
            length = try exchange(state, name, type: type, server: server, answer: &answer)
        } else {
            length = sy_res_query(state, name, Int32(ns_c_in.rawValue), Int32(type.rawValue), &answer, Int32(answer.count))
            if length < 0 {
                // NXDOMAIN and NODATA: the name has no such records.
                let error = sy_res_h_errno(state)
                if error == HOST_NOT_FOUND || error == NO_DATA { return [] }
                throw Failure(description: "DNS query for \(name) failed: \(error == TRY_AGAIN ? "no answer from the resolver" : "h_errno \(error)")")
            }
        }
        if length == 0 { return [] }
        var message = ns_msg()
        guard ns_initparse(answer, length, &message) == 0 else { throw Failure(description: "unreadable DNS answer for \(name)") }
        var records: [Record] = []
        let count = Int(sy_answer_count(&message))
        for index in 0..<count {
            var record = ns_rr()
            guard ns_parserr(&message, ns_s_an, Int32(index), &record) == 0, record.type == UInt16(type.rawValue) else { continue }
            guard let data = record.rdata else { continue }
            switch type {
            case ns_t_a where record.rdlength == 4, ns_t_aaaa where record.rdlength == 16:
                var text = [CChar](repeating: 0, count: 64)
                inet_ntop(type == ns_t_a ? AF_INET : AF_INET6, data, &text, socklen_t(text.count))
                records.append(Record(host: Self.string(text), port: nil, weight: 1, ttl: record.ttl))
            case ns_t_srv where record.rdlength > 6:
                let weight = Int(data[2]) << 8 | Int(data[3])
                let port = Int(data[4]) << 8 | Int(data[5])
                var target = [CChar](repeating: 0, count: 256)
                guard sy_dn_expand(message._msg, message._eom, data + 6, &target, Int32(target.count)) >= 0 else { continue }
                records.append(Record(host: Self.string(target), port: port, weight: Double(max(weight, 1)), ttl: record.ttl))
            default:
                continue
            }
        }
        return records
    }

    /// One query to `server` over UDP (two tries, a second each); the
    /// answer's length, 0 for a name with no such records.
    static func exchange(_ state: res_state, _ name: String, type: ns_type, server: (host: String, port: Int),
                         answer: inout [UInt8]) throws(Failure) -> Int32 {
        var query = [UInt8](repeating: 0, count: 512)
        let queryLength = sy_res_mkquery(state, name, Int32(ns_c_in.rawValue), Int32(type.rawValue), &query, Int32(query.count))
        guard queryLength > 0 else { throw Failure(description: "cannot build a DNS query for \(name)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        guard inet_pton(AF_INET, server.host, &address.sin_addr) == 1 else {
            throw Failure(description: "resolver \(server.host) is not an IPv4 address")
        }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot open a socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        for _ in 0..<2 {
            let sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, query, Int(queryLength), 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard sent == Int(queryLength) else { continue }
            let received = recv(fd, &answer, answer.count, 0)
            guard received >= 12, answer[0] == query[0], answer[1] == query[1] else { continue }
            switch answer[3] & 0x0F {
            case 0: return Int32(received)
            case 3: return 0  // NXDOMAIN
            default: throw Failure(description: "DNS query for \(name): \(server.host):\(server.port) answered rcode \(answer[3] & 0x0F)")
            }
        }
        throw Failure(description: "DNS query for \(name): no answer from \(server.host):\(server.port)")
    }

    /// A NUL-terminated C buffer as a String.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
