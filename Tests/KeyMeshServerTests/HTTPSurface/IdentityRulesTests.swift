// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Testing

@testable import KeyMeshServer

/// Small rules of issue 12 item 8: user ids at login, loopback hosts, rate-limit keys.
@Suite("User ids, loopback hosts and client keys")
struct IdentityRulesTests {
    @Test("login ids: only the localpart is case-folded; the server name must be ours byte for byte")
    func loginUserID() {
        let users = UserIDs(serverName: "Example.org")
        #expect(users.loginUserID("@Alice:Example.org") == "@alice:Example.org")
        #expect(users.loginUserID("@alice:Example.org") == "@alice:Example.org")
        #expect(users.loginUserID("Alice") == "@alice:Example.org")
        #expect(users.loginUserID("@alice:example.org") == nil)   // another server name
        #expect(users.loginUserID("@alice:EXAMPLE.ORG") == nil)
        #expect(users.loginUserID("@a:b:Example.org") == nil)     // the localpart ends at the first colon
        #expect(users.loginUserID("@alice") == nil)
        #expect(UserIDs(serverName: "localhost").loginUserID("@Bob:localhost") == "@bob:localhost")
    }

    @Test("loopback means a loopback address or localhost, not any text starting with 127.")
    func loopback() {
        for host in ["localhost", "127.0.0.1", "127.1.2.3", "127.255.255.255", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"] {
            #expect(ServerConfig.isLoopback(host), "\(host)")
        }
        for host in ["127.evil.example", "127.0.0.1.nip.io", "127.", "127", "0.0.0.0", "::", "10.0.0.1", "128.0.0.1",
                     "example.org", "::2", "::ffff:10.0.0.1", "", "localhost.example.org"] {
            #expect(!ServerConfig.isLoopback(host), "\(host)")
        }
        var config = ServerConfig()
        config.host = "127.evil.example"
        #expect(config.effectiveRegistration == .sharedSecret)
    }

    @Test("rate-limit keys: an IPv4 address, or the /64 of an IPv6 address; mapped IPv4 is IPv4")
    func clientKeys() {
        #expect(AuthGuards.clientKey(ip: "192.0.2.7") == "192.0.2.7")
        #expect(AuthGuards.clientKey(ip: "2001:db8:1:2:3:4:5:6") == AuthGuards.clientKey(ip: "2001:db8:1:2:ffff::1"))
        #expect(AuthGuards.clientKey(ip: "2001:db8:1:2::1") != AuthGuards.clientKey(ip: "2001:db8:1:3::1"))
        #expect(AuthGuards.clientKey(ip: "::ffff:192.0.2.7") == "192.0.2.7")
    }
}
