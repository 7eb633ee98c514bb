// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshP2P
import Testing

@Suite struct P2PErrorTests {
    @Test func errorsCompareByValue() {
        #expect(P2PError.wrongSequence(expected: 2, got: 3) != P2PError.wrongSequence(expected: 2, got: 2))
        #expect(P2PError.malformed("x") == P2PError.malformed("x"))
    }
}
