// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMSL
import Testing

@Suite("MSL base64 (docs/MSL.md §1)")
struct MSLBase64Tests {
    @Test("padded standard base64 round trips every length")
    func roundTrip() throws {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            let text = MSLBase64.encode(bytes)
            #expect(text.utf8.count % 4 == 0)
            #expect(try MSLBase64.decode(text) == bytes)
            let url = MSLBase64URL.encode(bytes)
            #expect(!url.contains("="))
            #expect(try MSLBase64URL.decode(url) == bytes)
        }
    }

    @Test("known answers")
    func knownAnswers() throws {
        #expect(MSLBase64.encode(Array("foob".utf8)) == "Zm9vYg==")
        #expect(MSLBase64.encode([0xFB, 0xFF]) == "+/8=")
        #expect(MSLBase64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(try MSLBase64.decode("Zm9v\r\nYmFy\t ") == Array("foobar".utf8))
        #expect(try MSLBase64.decode("AB==") == [0x00])  // non-zero unused bits accepted
        #expect(try MSLBase64.decode("") == [])
    }

    @Test("strict padded reader refuses", arguments: [
        "Zm9vYg", "Zm9vYg=", "Zm9v-w==", "Zm9v_w==", "Zm=vYg==", "=m9v", "Zm9v*g==", "Zm9vY===", "Zm9vYg==Zm9v",
        "Zm9v\u{0B}Yg==", "Zm9vYg==\u{00}",
    ])
    func paddedRefuses(text: String) {
        #expect(throws: MSLError(.mslParseError)) { try MSLBase64.decode(text) }
    }

    @Test("the caller chooses the error code")
    func chosenCode() {
        #expect(throws: MSLError(.mastertokenTokendataParseError)) {
            try MSLBase64.decode("abc", error: .mastertokenTokendataParseError)
        }
    }

    @Test("strict unpadded url reader refuses", arguments: ["Zm9vYg==", "Zm9vYg=", "+_8", "/_8", "-_8 ", "A", "Zm9vY", "Zm\n9v"])
    func urlRefuses(text: String) {
        #expect(throws: MSLError(.mslParseError)) { try MSLBase64URL.decode(text) }
    }
}
