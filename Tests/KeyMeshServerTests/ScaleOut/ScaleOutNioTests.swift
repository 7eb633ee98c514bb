// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

extension ScaleOutTests {
    /// Real Matrix clients on different instances of one store (Peers/nio_scaleout.py): alice's
    /// matrix-nio client talks only to instance A, bob's only to C; they claim, open an Olm
    /// session and talk both ways.
    @Suite("matrix-nio clients on different instances")
    struct Nio {
        @Test("alice's matrix-nio on A and bob's on C exchange Olm messages both ways", .timeLimit(.minutes(5)))
        func olmAcrossInstances() async throws {
            guard try PythonPeer.isAvailable("nio", peer: "matrix-nio") else { return }
            try await ScaleOutCluster.run { cluster in
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("Peers/nio_scaleout.py").path
                let run = try await CommandRun.run(PythonPeer.python, [script, "http://127.0.0.1:\(cluster.ports[0])",
                                                                        "http://127.0.0.1:\(cluster.ports[2])"], timeout: 180)
                let line = run.output.split(separator: "\n").last.map(String.init) ?? ""
                let result = run.lines.last
                #expect(run.status == 0, "\(line)\n\(run.errors.suffix(2000))\n\(cluster.logTail(0))\n\(cluster.logTail(2))")
                #expect(result?["ok"] == true, "\(line)")
                let olm = result?["details"]?.objectValue?["olm"]?.objectValue
                #expect(olm?["alice_to_bob"]?.objectValue?["olm_message_type"] == 0)  // pre-key: the key claimed through A
                #expect(olm?["bob_to_alice"]?.objectValue?["olm_message_type"] == 1)
                let keys = result?["details"]?.objectValue?["bob_one_time_keys"]?.objectValue
                #expect(keys?["after_claim"]?.intValue == (keys?["uploaded"]?.intValue).map { $0 - 1 })
            }
        }
    }
}
