// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI

/// A running command-line program a test talks to: lines typed on its standard input, its JSON
/// lines read as they come. Every wait is an async poll, so the cooperative pool never blocks
/// on the child (see ``CommandRun``); the pipes are drained by threads of their own.
public final class InteractiveRun: @unchecked Sendable {
    public let process: Process
    private let input = Pipe()
    private let lock = NSLock()
    private var outputText = ""
    private var errorText = ""
    private var outputDone = false
    private var errorDone = false

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = input
        try process.run()
        drain(output.fileHandleForReading) { run, data in
            if let data { run.outputText += String(decoding: data, as: UTF8.self) } else { run.outputDone = true }
        }
        drain(error.fileHandleForReading) { run, data in
            if let data { run.errorText += String(decoding: data, as: UTF8.self) } else { run.errorDone = true }
        }
    }

    /// Reads `handle` on a thread of its own until it ends; `take` runs under the lock (nil: ended).
    private func drain(_ handle: FileHandle, _ take: @escaping @Sendable (InteractiveRun, Data?) -> Void) {
        Thread {
            while true {
                let data = handle.availableData
                self.lock.withLock { take(self, data.isEmpty ? nil : data) }
                if data.isEmpty { return }
            }
        }.start()
    }

    /// The stdout lines so far that parse as JSON objects.
    public var lines: [JSONObject] {
        lock.withLock { outputText }.split(separator: "\n").compactMap { (try? JSONParser.parse(Array($0.utf8)))?.objectValue }
    }

    public var errors: String { lock.withLock { errorText } }

    /// Waits up to `timeout` seconds for a JSON line whose `event` is `event`.
    public func line(event: String, timeout: Double = 60) async throws -> JSONObject? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let found = lines.first(where: { $0["event"]?.stringValue == event }) { return found }
            if !process.isRunning, lines.first(where: { $0["event"]?.stringValue == event }) == nil { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// The `index`-th stdout line (0-based) as printed, waiting up to `timeout` seconds for it;
    /// nil if the program ends or the time runs out first. For programs that speak JSON lines
    /// whose text must be passed on unchanged (`keymesh msl`).
    public func rawLine(_ index: Int, timeout: Double = 60) async throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let (text, done) = lock.withLock { (outputText, outputDone) }
            let complete = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if complete.count > index { return String(complete[complete.index(complete.startIndex, offsetBy: index)]) }
            if done || Date() >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Closes the program's standard input (end of file).
    public func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Types one line on the program's standard input.
    public func type(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// SIGKILL, as a crash.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits up to `timeout` seconds for the program to end (terminating it after that).
    public func finish(timeout: Double = 120) async throws -> CommandRun {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        for _ in 0..<100 {  // the drain threads read what is left
            if lock.withLock({ outputDone && errorDone }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let (output, errors) = lock.withLock { (outputText, errorText) }
        let parsed = output.split(separator: "\n").compactMap { (try? JSONParser.parse(Array($0.utf8)))?.objectValue }
        return CommandRun(status: process.terminationStatus, output: output, lines: parsed, errors: errors)
    }
}
