// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshClient
import KeyMeshMatrixAPI

/// `keymesh client listen`: decrypted messages as JSON lines.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Print decrypted messages as JSON lines, as they arrive.",
        discussion: """
            Each line: {"content":…,"device_id":…,"sender":…,"type":…}. A message is acknowledged only once \
            printed, so messages beyond --count stay for the next listen. Exit status 0 once --count messages \
            arrived (or at --timeout without --count), 3 if the timeout passed first.
            """)

    @OptionGroup var options: ClientOptions

    @Option(help: "Stop after this many messages.")
    var count: Int?

    @Option(help: "Stop after this many seconds.")
    var timeout: Double?

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        var printed = 0
        var timedOut = false
        try await CLIOutput.reportingErrors {
            let client = try options.open().client
            let deadline = timeout.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
            while count.map({ printed < $0 }) ?? true {
                let remaining = deadline.map { ContinuousClock.now.duration(to: $0) } ?? .seconds(30)
                guard remaining > .zero else { timedOut = count != nil; break }
                let messages = try await client.sync(timeout: min(remaining, .seconds(30)))
                let shown = Array(messages.prefix(count.map { $0 - printed } ?? messages.count))
                for message in shown {
                    CLIOutput.printLine(["sender": .string(message.sender.userID), "device_id": .string(message.sender.deviceID),
                                         "type": .string(message.type), "content": .object(message.content)])
                }
                try await client.acknowledge(shown)
                printed += shown.count
            }
        }
        if timedOut { throw ExitCode(3) }
    }
}
