// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Logging

/// Test-support messages (a loud skip when a peer is missing) go through swift-log.
private let logger = Logger(label: "keymesh.test-support")

/// A live Python peer (vodozemac or python-olm from PyPI) driven over stdin/stdout, one JSON
/// object per line each way. The scripts live in `Tests/InteropTests/Peers/`.
///
/// The interpreter is `KEYMESH_PYTHON`, else `.venv/bin/python` in the package root (where
/// `.ci/run` installs the peers), else `python3`.
public final class PythonPeer: @unchecked Sendable {
    // Used from one test at a time; the lock-free fields are only touched by that test.
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = Data()

    /// Starts `script` with `arguments`.
    public init(script: URL, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [script.path] + arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Sends one request and waits for its one-line JSON reply.
    /// - Throws: ``PythonPeerError`` if the peer died or answered with `{"error": …}`.
    public func call(_ request: [String: Any]) throws -> [String: Any] {
        let line = try JSONSerialization.data(withJSONObject: request) + Data([0x0A])
        input.fileHandleForWriting.write(line)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let reply = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                guard let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any] else {
                    throw PythonPeerError.badReply(String(decoding: reply, as: UTF8.self))
                }
                if let error = object["error"] as? String { throw PythonPeerError.peer(error) }
                return object
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw PythonPeerError.exited }
            buffer.append(chunk)
        }
    }

    /// The interpreter to use.
    public static var python: String {
        if let explicit = ProcessInfo.processInfo.environment["KEYMESH_PYTHON"] { return explicit }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    /// Whether a test can use `module`: true if it imports; if not, throws under CI (a missing
    /// peer fails the run) and otherwise prints a loud skip and returns false.
    /// - Parameter peer: what the module is, for the message (e.g. "matrix-nio").
    public static func isAvailable(_ module: String, peer: String) throws -> Bool {
        guard hasModule(module) else {
            let message = "\(peer) is not installed for \(python): run `bash scripts/setup --peers`"
            if peersRequired { throw PythonPeerError.missing(message) }
            logger.warning("SKIPPING live interop: \(message)")
            return false
        }
        return true
    }

    /// Whether `module` imports in the chosen interpreter.
    public static func hasModule(_ module: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import \(module)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Whether a missing peer must fail the run (CI) rather than skip loudly (local runs).
    public static var peersRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The package root (found from this file's path).
    public static var packageRoot: URL {
        // Sources/KeyMeshTestSupport/PythonPeer.swift → package root
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}

/// Why a Python peer call failed.
public enum PythonPeerError: Error, CustomStringConvertible {
    /// The peer closed its output.
    case exited
    /// The peer answered with something that is not a JSON object.
    case badReply(String)
    /// The peer reported an error.
    case peer(String)
    /// The peer is not installed, and peers are required (CI).
    case missing(String)

    public var description: String {
        switch self {
        case .exited: "python peer exited"
        case .badReply(let s): "python peer sent a bad reply: \(s)"
        case .peer(let s): "python peer error: \(s)"
        case .missing(let s): s
        }
    }
}
