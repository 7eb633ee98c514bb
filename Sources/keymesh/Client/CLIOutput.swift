// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshClient
import KeyMeshMatrixAPI

/// How client commands talk to the terminal: results on stdout (JSON lines where scripts read
/// them), mistakes as one `error:` line on stderr with exit status 1, never a stack trace.
enum CLIOutput {
    static func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as CLIError {
            fail(error.description)
        } catch let error as ClientError {
            fail(error.description)
        } catch {
            fail("\(error)")
        }
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(1)
    }

    /// One JSON object on one line (canonical JSON: sorted keys, no spaces).
    static func printLine(_ object: JSONObject) {
        let bytes = (try? CanonicalJSON.encode(.object(object))) ?? Array("{}".utf8)
        FileHandle.standardOutput.write(Data(bytes + [UInt8(ascii: "\n")]))  // unbuffered: scripts see each line at once
    }

    /// The device a register or login made.
    static func printIdentity(_ client: KeyMeshClient) async throws {
        let me = try await client.identity()
        var line: JSONObject = ["user_id": .string(me.userID), "device_id": .string(me.deviceID),
                                "ed25519": .string(me.ed25519.base64), "curve25519": .string(me.curve25519.base64)]
        if let master = await client.ownMasterKey { line["master_key"] = .string(master) }
        printLine(line)
    }
}
