// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI

/// One run of a command-line program: exit status, stdout lines parsed as JSON, stderr text.
public struct CommandRun {
    public let status: Int32
    /// Stdout, as printed.
    public let output: String
    /// The stdout lines that parse as JSON objects.
    public let lines: [JSONObject]
    public let errors: String

    /// Runs `executable` with `arguments` and waits for it.
    /// - Parameter timeout: seconds after which the program is terminated (nil: wait forever).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           timeout: Double? = nil) throws -> CommandRun {
        let running = try start(executable, arguments, environment: environment)
        if let timeout {
            let process = running.process
            let deadline = Date().addingTimeInterval(timeout)
            Thread {
                while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
                if process.isRunning { process.terminate() }
            }.start()
        }
        return running.finish()
    }

    /// Runs `executable` as the synchronous `run` does, but waits on a thread of its own. A test
    /// must never block the cooperative pool (two threads on a two-core machine) on a child
    /// process: every other test's tasks would stall behind it, long enough for a handshake or
    /// request deadline elsewhere to fire.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           timeout: Double? = nil) async throws -> CommandRun {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CommandRun, any Error>) in
            Thread {
                continuation.resume(with: Result { () throws -> CommandRun in
                    try run(executable, arguments, environment: environment, timeout: timeout)
                })
            }.start()
        }
    }

    /// A running program, read when it ends.
    public struct Running {
        public let process: Process
        let output: Pipe
        let error: Pipe

        public func finish() -> CommandRun {
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = error.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: out, as: UTF8.self)
            let lines = text.split(separator: "\n").compactMap { (try? JSONParser.parse(Array($0.utf8)))?.objectValue }
            return CommandRun(status: process.terminationStatus, output: text, lines: lines,
                              errors: String(decoding: err, as: UTF8.self))
        }
    }

    public static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, output: output, error: error)
    }
}
