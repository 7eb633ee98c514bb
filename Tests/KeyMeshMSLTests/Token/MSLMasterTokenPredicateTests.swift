// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMSL
import Testing

@Suite("MSL master token predicates (docs/MSL.md §7)")
struct MSLMasterTokenPredicateTests {
    static let max: Int64 = 9_007_199_254_740_992

    @Test("isNewer: sequence numbers with the 127 wrap margin, expiration on ties", arguments: [
        // (a seq, a exp, b seq, b exp, a newer than b)
        (1, 200, 0, 200, true), (0, 200, 1, 200, false),
        (5, 300, 5, 200, true), (5, 200, 5, 300, false), (5, 200, 5, 200, false),
        (max, 200, 0, 200, false), (0, 200, max, 200, true),
        (max - 126, 200, 0, 200, false), (0, 200, max - 126, 200, true),
        (max - 127, 200, 0, 200, true), (0, 200, max - 127, 200, false),
        (max, 200, 126, 200, false), (max, 200, 127, 200, true), (127, 200, max, 200, false),
        (max, 200, max - 1, 200, true),
    ] as [(Int64, Int64, Int64, Int64, Bool)])
    func newer(a: Int64, ea: Int64, b: Int64, eb: Int64, expected: Bool) throws {
        let ta = try token(sequenceNumber: a, expiration: ea)
        let tb = try token(sequenceNumber: b, expiration: eb)
        #expect(ta.isNewer(than: tb) == expected)
        #expect(MSLMasterToken.isNewer(sequenceNumber: a, expiration: ea, than: b, expiration: eb) == expected)
    }

    @Test("renewable and expired by the clock; without one, renewable and never expired")
    func clock() throws {
        let t = try token(sequenceNumber: 0, expiration: 200)
        #expect(!t.isRenewable(now: 99) && t.isRenewable(now: 100) && t.isRenewable(now: nil))
        #expect(!t.isExpired(now: 199) && t.isExpired(now: 200) && !t.isExpired(now: nil))
    }

    @Test("same token: serial, sequence and expiration")
    func same() throws {
        let a = try token(sequenceNumber: 3, expiration: 200)
        #expect(a.isSameToken(try token(sequenceNumber: 3, expiration: 200)))
        #expect(!a.isSameToken(try token(sequenceNumber: 4, expiration: 200)))
        #expect(!a.isSameToken(try token(sequenceNumber: 3, expiration: 201)))
        #expect(!a.isSameToken(try token(sequenceNumber: 3, expiration: 200, serial: 9)))
    }

    @Test("sequence numbers wrap from 2^53 to 0")
    func next() {
        #expect(MSLMasterToken.nextSequenceNumber(after: 0) == 1)
        #expect(MSLMasterToken.nextSequenceNumber(after: Self.max - 1) == Self.max)
        #expect(MSLMasterToken.nextSequenceNumber(after: Self.max) == 0)
    }

    private func token(sequenceNumber: Int64, expiration: Int64, serial: Int64 = 77) throws -> MSLMasterToken {
        try TokenFixtures.issued(sequenceNumber: sequenceNumber, serialNumber: serial, expiration: expiration)
    }
}
