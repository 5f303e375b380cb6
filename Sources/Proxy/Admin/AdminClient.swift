import AsyncHTTPClient
import Foundation

// MARK: - AdminClient

/// Reads a running proxy's admin API (for `switchyard explain --admin`).
public enum AdminClient {
    public struct Unreachable: Error, CustomStringConvertible {
        public var address: String
        public var reason: String
        public var description: String { "cannot reach the admin API at \(address): \(reason)" }
    }

    public static func get(_ address: String, path: String) async throws -> (status: Int, body: String) {
        let request = HTTPClientRequest(url: "http://\(address)\(path)")
        do {
            let response = try await ControlPlaneClient.http.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            throw Unreachable(address: address, reason: ControlPlaneClient.describe(error))
        }
    }
}
