// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshTestSupport
import Testing

/// HMAC-SHA1 computed by Python's standard library, an implementation independent of ours, for
/// the admin-registration MAC.
enum TestHMAC {
    static func sha1Hex(key: [UInt8], message: [UInt8]) -> String {
        let script = "import hmac,hashlib,sys; k=bytes.fromhex(sys.argv[1]); m=bytes.fromhex(sys.argv[2]); print(hmac.new(k,m,hashlib.sha1).hexdigest())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, key.hex, message.hex]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return "python3-missing" }
        process.waitUntilExit()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
