// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshClient
import KeyMeshMatrixAPI

/// `keymesh client revoke DEVICE_ID`: delete a lost device and rotate the keys it knew
/// (docs/P2P.md §9).
struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a lost device: delete it, replace the self-signing and user-signing keys, re-sign the rest.",
        discussion: """
            Prints {"event":"revoked",…} with the new keys and what was re-signed, then one \
            {"event":"handed-over","device_id":…} per remaining device as it receives the new keys over P2P, \
            and {"event":"pending","devices":[…]} for those that did not sync within --timeout (they get the keys \
            when this profile next syncs). The password comes from --password-file or KEYMESH_PASSWORD.
            """)

    @OptionGroup var options: ClientOptions

    @Argument(help: "The device id to revoke.")
    var deviceID: String

    @OptionGroup var secret: PasswordOptions

    @Flag(help: "Also replace the master key (contacts must verify you again).")
    var resetMaster = false

    @Option(help: "Seconds to wait for the remaining devices to take the new keys (default 30).")
    var timeout: Double = 30

    func validate() throws {
        if timeout < 0 { throw ValidationError("--timeout must not be negative") }
    }

    func run() async throws {
        try await CLIOutput.reportingErrors {
            let password = try secret.password()
            let client = try await options.openCaughtUp().client
            let done = try await client.revoke(deviceID: deviceID, password: password, resetMaster: resetMaster)
            CLIOutput.printLine([
                "event": "revoked", "device_id": .string(done.deviceID), "master_key": .string(done.masterKey),
                "self_signing_key": .string(done.selfSigningKey), "user_signing_key": .string(done.userSigningKey),
                "resigned_devices": .array(done.resignedDevices.map { .string($0) }),
                "resigned_users": .array(done.resignedUsers.map { .string($0) }),
            ])
            let waiting = try await client.completeHandovers(timeout: .milliseconds(Int64(timeout * 1000)))
            for device in done.resignedDevices where !waiting.contains(device) {
                CLIOutput.printLine(["event": "handed-over", "device_id": .string(device)])
            }
            if !waiting.isEmpty { CLIOutput.printLine(["event": "pending", "devices": .array(waiting.map { .string($0) })]) }
        }
    }
}
