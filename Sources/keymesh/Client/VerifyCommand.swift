// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshClient

/// `keymesh client verify @user`: sign their master key after a person compared fingerprints.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a user: shows both master-key fingerprints, then signs theirs with your user-signing key.",
        discussion: """
            Compare the fingerprint with the other person over a channel you trust (in person, a call). \
            Then type yes, or pass --master-key with the key they read to you (scripts).
            """)

    @OptionGroup var options: ClientOptions

    @Argument(help: "The user id, e.g. @bob:localhost.")
    var user: String

    @Option(help: "Their master key as they read it to you (spaces allowed); skips the question.")
    var masterKey: String?

    func run() async throws {
        try await CLIOutput.reportingErrors {
            let client = try options.open().client
            guard let ours = await client.ownMasterKey else {
                throw CLIError("this profile holds no cross-signing keys (only the device that registered the user has them)")
            }
            guard let theirs = try await client.masterKey(of: user) else { throw CLIError("\(user) has not set up cross-signing") }
            let show = { (text: String) in FileHandle.standardError.write(Data((text + "\n").utf8)) }
            show("your master key:      \(Fingerprint.format(ours))")
            show("\(user) master key: \(Fingerprint.format(theirs))")
            var confirmed = theirs
            if let masterKey {
                confirmed = masterKey.replacingOccurrences(of: " ", with: "")
                guard confirmed == theirs else { throw CLIError("the key given is not the master key the server shows for \(user): not verified") }
            } else {
                show("Does \(user) see the same master key on their side? Type yes to sign it:")
                guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                    throw CLIError("not verified")
                }
            }
            try await client.verify(user, masterKey: confirmed)
            CLIOutput.printLine(["verified": .string(user), "master_key": .string(theirs)])
        }
    }
}
