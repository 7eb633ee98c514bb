// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport

/// Runs one matrix-nio script from `Peers/` against a fresh `keymesh serve` binary and returns
/// its exit status and the JSON object on its last stdout line (`{"ok": …, "details": …}`).
enum NioPeerRun {
    static func run(_ script: String) async throws -> (status: Int32, result: JSONObject?, line: String) {
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: ServeProcess.temporaryDataDir())
        defer { try? server.stop() }
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Peers/\(script)").path
        let run = try await CommandRun.run(PythonPeer.python, [path, "http://127.0.0.1:\(port)"], timeout: 300)
        return (run.status, run.lines.last, run.output.split(separator: "\n").last.map(String.init) ?? "")
    }
}
