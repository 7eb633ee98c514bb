// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshClient
import KeyMeshMatrixAPI

/// `keymesh client join`: a device that logged in to an existing account asks another device
/// of the user for the cross-signing secrets (docs/P2P.md §7).
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Ask another device of your account to authorise this one (it gets the cross-signing keys).",
        discussion: """
            Prints {"event":"waiting-for-code","devices":[…]}, then reads the code shown by \
            `keymesh client authorize` on the other device as one line from standard input. On success prints \
            {"event":"authorised","master_key":…} and exits 0; a wrong code exits 1 and nothing secret is sent.
            """)

    @OptionGroup var options: ClientOptions

    @OptionGroup var wait: FlowTimeout

    func run() async throws {
        try await CLIOutput.reportingErrors {
            let client = try options.open().client
            let deadline = wait.deadline()
            let asked = try await client.requestJoin()
            CLIOutput.printLine(["event": "waiting-for-code", "devices": .array(asked.map { .string($0) })])
            FileHandle.standardError.write(Data("Run `keymesh client authorize` on one of your other devices and type the code it shows:\n".utf8))
            let code = try await StandardInput.line(before: deadline)
            let master = try await client.completeJoin(code: code, timeout: ContinuousClock.now.duration(to: deadline))
            CLIOutput.printLine(["event": "authorised", "master_key": .string(master)])
        }
    }
}

/// `--timeout S` of the interactive P2P commands (`join`, `authorize`).
struct FlowTimeout: ParsableArguments {
    @Option(help: "Give up after this many seconds (default 300).")
    var timeout: Double = 300

    func validate() throws {
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    func deadline() -> ContinuousClock.Instant { ContinuousClock.now + .milliseconds(Int64(timeout * 1000)) }
}

/// One line of standard input, read off the cooperative pool, with a deadline.
enum StandardInput {
    static func line(before deadline: ContinuousClock.Instant) async throws -> String {
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    Thread.detachNewThread { continuation.resume(returning: readLine()) }
                }
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                throw CLIError("no code typed in time")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let line = first else { throw CLIError("no code given (standard input closed)") }
            return line
        }
    }
}
