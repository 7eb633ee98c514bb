// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import NIOCore

/// The rate limiters of the unauthenticated account endpoints, built once per server from
/// ``AuthLimits`` (docs/SECURITY.md "Limits"). The password hasher and its gate are the
/// server's one `ServerState.hasher`, so the cap on concurrent Argon2 work is global.
struct AuthGuards: Sendable {
    let registerPerAddress: RateLimiter
    let loginPerAddress: RateLimiter
    let failedLoginsPerUser: RateLimiter

    init(config: ServerConfig) {
        registerPerAddress = RateLimiter(config.authLimits.registerPerAddress)
        loginPerAddress = RateLimiter(config.authLimits.loginPerAddress)
        failedLoginsPerUser = RateLimiter(config.authLimits.failedLoginsPerUser)
    }

    /// Charges one request to the caller's address.
    /// - Throws: 429 `M_LIMIT_EXCEEDED` with `retry_after_ms` when its bucket is empty.
    static func charge(_ limiter: RateLimiter, _ context: some RequestContext) throws(MatrixError) {
        // Every TCP connection has a peer address; only in-process test requests lack one.
        guard let key = clientKey(context) else { return }
        if let wait = limiter.take(key) { throw RateLimiter.limited(retryAfterMs: wait) }
    }

    /// The rate-limit key of the caller: its IPv4 address, or the /64 network of its IPv6
    /// address (one host usually holds a whole /64, so per-address IPv6 buckets are free to
    /// multiply). Nil without a peer address.
    static func clientKey(_ context: some RequestContext) -> String? {
        guard let address = (context as? any RemoteAddressRequestContext)?.remoteAddress,
              let ip = address.ipAddress else { return nil }
        return clientKey(ip: ip)
    }

    static func clientKey(ip: String) -> String {
        var v4 = in_addr()
        if inet_pton(AF_INET, ip, &v4) == 1 { return ip }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, ip, &v6) == 1 else { return ip }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        guard bytes.count == 16 else { return ip }
        // an IPv4 client on a dual-stack socket (::ffff:a.b.c.d) is its IPv4 address
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        return bytes[0..<8].map { String(format: "%02x", $0) }.joined() + "::/64"
    }
}

/// The request context of `keymesh serve`: Hummingbird's basic context plus the peer address,
/// which the rate limits of the account endpoints key on.
struct KeyMeshRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
