// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// A real Matrix client against `keymesh serve`: two matrix-nio clients (Olm through
/// vodozemac) register, log in, upload keys, query, claim, and exchange Olm-encrypted
/// to-device messages both ways (Peers/nio_e2e.py).
@Suite("matrix-nio end to end against keymesh serve")
struct MatrixClientTests {
    @Test("two matrix-nio clients open an Olm session through keymesh serve and talk both ways")
    func nioEndToEnd() async throws {
        guard try PythonPeer.isAvailable("nio", peer: "matrix-nio") else { return }
        let (status, result, line) = try await NioPeerRun.run("nio_e2e.py")
        #expect(status == 0, "\(line)")
        #expect(result?["ok"] == true, "\(line)")
        let olm = result?["details"]?.objectValue?["olm"]?.objectValue
        #expect(olm?["alice_to_bob"]?.objectValue?["olm_message_type"] == 0)  // pre-key: the claimed key was used
        #expect(olm?["bob_to_alice"]?.objectValue?["olm_message_type"] == 1)
    }
}
