// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// matrix-nio's own response parsing against `keymesh serve` for what it calls around start-up:
/// `devices()` (its schema requires `display_name`, `last_seen_ip`, `last_seen_ts`),
/// `delete_devices()` of a device already gone, the profile, and filters (Peers/nio_startup.py).
@Suite("matrix-nio start-up calls against keymesh serve")
struct NioStartupTests {
    @Test("nio's devices(), delete_devices() twice, get_profile(), upload_filter() and a filtered sync() all parse")
    func nioStartup() async throws {
        guard try PythonPeer.isAvailable("nio", peer: "matrix-nio") else { return }
        let (status, result, line) = try await NioPeerRun.run("nio_startup.py")
        #expect(status == 0, "\(line)")
        #expect(result?["ok"] == true, "\(line)")
        #expect(result?["details"]?.objectValue?["devices"] == 3, "\(line)")
    }
}
