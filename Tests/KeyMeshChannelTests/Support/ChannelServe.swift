// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshTestSupport

/// A `keymesh channel serve` process on a free port with a fresh key, for tests.
struct ChannelServe {
    let process: Process
    let port: Int
    /// The server's public key, hex.
    let key: String

    enum Failure: Error { case noListeningLine(String), timedOut([String]) }

    init(_ extra: [String]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-channel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let keyFile = dir.appendingPathComponent("server.key").path
        key = try CommandRun.run(ServeProcess.binary.path, ["channel", "keygen", "--out", keyFile])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        process = Process()
        process.executableURL = ServeProcess.binary
        process.arguments = ["channel", "serve", "--listen", "127.0.0.1:0", "--key", keyFile] + extra
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is {"event":"listening",…,"port":N}.
        var line = Data()
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              let port = object["port"] as? Int else {
            process.terminate()
            throw Failure.noListeningLine(String(decoding: line, as: UTF8.self))
        }
        self.port = port
        // Keep reading the event lines so the server never blocks on a full pipe.
        stdout.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// A fresh key file's secret (hex, read back from the file) and its public key.
    static func keygen() throws -> (secret: String, publicKey: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-\(UUID().uuidString).key").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let publicKey = try CommandRun.run(ServeProcess.binary.path, ["channel", "keygen", "--out", path])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let secret = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return (secret, publicKey)
    }
}
