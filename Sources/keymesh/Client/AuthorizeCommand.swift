// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshClient
import KeyMeshMatrixAPI

/// `keymesh client authorize`: answer a new device's `join`, show the code, hand over the
/// cross-signing secrets when the new device proves it saw the code (docs/P2P.md §7).
struct AuthorizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authorize",
        abstract: "Authorise a new device of your account: show a code, then give it the cross-signing keys.",
        discussion: """
            Waits for a request from `keymesh client join`, prints {"event":"request","device_id":…,"code":…}; \
            type that code on the new device. When it proves it saw the code, the new device is signed and gets \
            the keys: prints {"event":"authorised","device_id":…} and exits 0. Exit 1 if the proof is wrong or late.
            """)

    @OptionGroup var options: ClientOptions

    @OptionGroup var wait: FlowTimeout

    func run() async throws {
        try await CLIOutput.reportingErrors {
            let client = try options.open().client
            let deadline = wait.deadline()
            let request = try await client.awaitJoinRequest(timeout: ContinuousClock.now.duration(to: deadline))
            CLIOutput.printLine(["event": "request", "device_id": .string(request.deviceID), "code": .string(request.code)])
            let device = try await client.completeAuthorisation(timeout: ContinuousClock.now.duration(to: deadline))
            CLIOutput.printLine(["event": "authorised", "device_id": .string(device)])
        }
    }
}
