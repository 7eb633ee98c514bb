// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P
import KeyMeshTestSupport
import Testing

/// Initiator and responder back to back, in memory (docs/P2P.md §5-§8).
@Suite("P2P back-to-back exchange")
struct P2PExchangeTests {
    @Test(arguments: [P2PPurpose.join, .rotation])
    func bothSidesAgreeAndSealBothWays(purpose: P2PPurpose) throws {
        let random = SeededRandom(seed: 0x9E11)
        let a = TestDevice("JOINER", random: random)
        var b = TestDevice("AUTHORISER", random: random)
        var x = try TestExchange.run(a, &b, purpose: purpose, random: random)
        #expect(x.initiatorSession.vcs == x.responderSession.vcs)
        #expect(x.initiatorSession.vcs.count == 5)
        #expect(x.initiatorSession.purpose == purpose && x.responderSession.purpose == purpose)
        #expect(x.responderSession.localKeyID == x.nominated.id)
        #expect(x.initiatorSession.remoteKeyID == x.nominated.id)
        #expect(b.pool.entries.count == 9)
        #expect(!b.pool.entries.contains { $0.id == x.nominated.id })

        // Several messages each way, interleaved, through the wire form.
        for n in 0..<3 {
            let there = try x.initiatorSession.seal(.rotation, ["n": .int(Int64(n)), "side": "a"])
            #expect(there.header.sequence == UInt64(n + 2))
            let opened = try x.responderSession.open(try P2PMessage.parse(bytes: there.bytes), now: TestDevice.start)
            #expect(opened == ["n": .int(Int64(n)), "side": "a"])
            let back = try x.responderSession.seal(.authgrant, ["n": .int(Int64(n))])
            #expect(back.header.sequence == UInt64(n + 2))
            #expect(try x.initiatorSession.open(back, now: TestDevice.start) == ["n": .int(Int64(n))])
        }
        // The two directions use different keys: a message cannot be reflected to its sender.
        let mine = try x.initiatorSession.seal(.rotation, ["x": 1])
        var reflected = mine
        reflected.header = P2PHeader(srcClientID: mine.header.dstClientID, srcKeyID: mine.header.dstKeyID,
                                     dstClientID: mine.header.srcClientID, dstKeyID: mine.header.srcKeyID,
                                     sequence: mine.header.sequence, type: .rotation)
        #expect(throws: P2PError.authenticationFailure) { try x.initiatorSession.open(reflected, now: TestDevice.start) }
    }

    /// docs/P2P.md §7: the joiner sends requests to two devices, the person types the code one
    /// of them shows, the joiner proves it on the matching session and receives the grant.
    @Test func fullJoinFlowInMemory() throws {
        let random = SeededRandom(seed: 0x7001)
        let joiner = TestDevice("NEWPHONE", random: random)
        var laptop = TestDevice("LAPTOP", random: random)
        var tablet = TestDevice("TABLET", random: random)
        var withLaptop = try TestExchange.run(joiner, &laptop, random: random)
        let withTablet = try TestExchange.run(joiner, &tablet, random: random)

        // The person runs `authorize` on the laptop and reads its code.
        let shown = P2PAuthCode.make(for: withLaptop.responderSession, random: random)
        #expect(shown.vcs == withLaptop.responderSession.vcs)
        #expect(!"\(shown)".contains(shown.vcm))

        // The joiner reads the typed code sloppily and picks the laptop's session.
        let sloppy = shown.display.lowercased().replacingOccurrences(of: "-", with: " ")
            .replacingOccurrences(of: "0", with: "o").replacingOccurrences(of: "1", with: "l")
        let typed = try P2PAuthCode.parse(typed: sloppy)
        #expect(typed == shown)
        let sessions = [withTablet.initiatorSession, withLaptop.initiatorSession]
        #expect(try typed.session(in: sessions) == 1)
        var joinerSession = sessions[1]
        let proof = try joinerSession.seal(.authproof, typed.proofBody)

        // The laptop checks the proof and grants.
        let proofBody = try withLaptop.responderSession.open(try P2PMessage.parse(bytes: proof.bytes), now: TestDevice.start + 1000)
        try shown.checkProof(proofBody)
        let master = Ed25519SecretKey(using: random), ssk = Ed25519SecretKey(using: random), usk = Ed25519SecretKey(using: random)
        let secrets = P2PSecrets(master: master.unsafeExportSecret(), selfSigning: ssk.unsafeExportSecret(),
                                 userSigning: usk.unsafeExportSecret())
        let grant = try withLaptop.responderSession.seal(.authgrant, secrets.body)

        // The joiner checks the grant against the user's published keys.
        let received = try P2PSecrets(body: try joinerSession.open(try P2PMessage.parse(bytes: grant.bytes), now: TestDevice.start + 2000))
        try received.check(master: master.publicKey, selfSigning: ssk.publicKey, userSigning: usk.publicKey)
        #expect(received.master == secrets.master)
        #expect(throws: P2PError.badGrant("the self-signing seed is not the user's key")) {
            try received.check(master: master.publicKey, selfSigning: usk.publicKey, userSigning: usk.publicKey)
        }
        #expect(!"\(received)".contains(Base64.encode(secrets.master.unsafeExportSecret())))
    }

    @Test func wrongCodeIsRefusedAndMismatchedCodeMatchesNoSession() throws {
        let random = SeededRandom(seed: 0x7002)
        let joiner = TestDevice("NEWPHONE", random: random)
        var laptop = TestDevice("LAPTOP", random: random)
        var x = try TestExchange.run(joiner, &laptop, random: random)
        let shown = P2PAuthCode.make(for: x.responderSession, random: random)
        // A code with another VCS matches no session: the joiner aborts.
        let otherVCS = shown.vcs == "00000" ? "11111" : "00000"
        let wrongSession = try P2PAuthCode.parse(typed: otherVCS + shown.vcm)
        #expect(throws: P2PError.codeMismatch) { try wrongSession.session(in: [x.initiatorSession]) }
        // A right VCS with a wrong VCM is refused by the authoriser.
        let otherVCM = shown.vcm == "ZZZZZ" ? "YYYYY" : "ZZZZZ"
        let wrongProof = try P2PAuthCode.parse(typed: shown.vcs + otherVCM)
        #expect(wrongProof.matches(x.initiatorSession))
        let proof = try x.initiatorSession.seal(.authproof, wrongProof.proofBody)
        let body = try x.responderSession.open(proof, now: TestDevice.start)
        #expect(throws: P2PError.wrongCode) { try shown.checkProof(body) }
        #expect(!shown.acceptsProof(otherVCM))
        #expect(shown.acceptsProof(shown.vcm))
        // The authoriser aborts; the joiner's session closes on it.
        let abort = try x.responderSession.seal(.abort, ["reason": "wrong code"])
        #expect(x.responderSession.isClosed)
        #expect(try x.initiatorSession.open(abort, now: TestDevice.start) == ["reason": "wrong code"])
        #expect(x.initiatorSession.isClosed)
        #expect(throws: P2PError.sessionClosed) { try x.initiatorSession.seal(.authproof, ["vcm": "00000"]) }
    }

    @Test func storageFormsRoundTrip() throws {
        let random = SeededRandom(seed: 0x7003)
        let a = TestDevice("A", random: random)
        var b = TestDevice("B", random: random)
        let remote = try b.verifiedRecord()
        let entry = try #require(remote.nominate(now: TestDevice.start, random: random))
        let (initiator, request) = try P2PInitiator.start(local: try a.local(), remote: remote, entry: entry,
                                                          purpose: .join, now: TestDevice.start, random: random)
        let restored = try P2PInitiator(decoding: initiator.encoded())
        #expect(restored.encoded() == initiator.encoded())
        let parsed = try P2PSessionRequest.parse(request)
        let (session, response) = try P2PResponder.respond(to: parsed, verifiedRecord: try a.verifiedRecord(),
                                                            local: try b.local(), pool: &b.pool, now: TestDevice.start)
        // The restored initiator completes the exchange; every copy of it has no secret left after that.
        let copy = restored
        guard case .established(var mine) = try restored.receive(response, local: try a.local(), remote: remote) else {
            Issue.record("not established"); return
        }
        #expect(copy.state == .finished)
        #expect(copy.encoded()["ephemeral_secret"] == nil)
        #expect(initiator.encoded()["ephemeral_secret"] != nil)  // the stored form is the caller's to replace
        #expect(throws: P2PError.sessionClosed) { try copy.receive(response, local: try a.local(), remote: remote) }

        var theirs = try P2PSession(decoding: try #require(session).encoded())
        mine = try P2PSession(decoding: mine.encoded())
        let m = try mine.seal(.rotation, ["k": "v"])
        #expect(try theirs.open(m, now: TestDevice.start) == ["k": "v"])
        let pool = try P2PKeyPool(decoding: b.pool.encoded())
        #expect(pool.entries == b.pool.entries)
    }

    @Test func secretsAreRedacted() throws {
        let random = SeededRandom(seed: 0x7004)
        let a = TestDevice("A", random: random)
        var b = TestDevice("B", random: random)
        let x = try TestExchange.run(a, &b, random: random)
        let poolSecrets = b.pool.encoded()["keys"]?.arrayValue?.compactMap { $0.objectValue?["secret"]?.stringValue } ?? []
        #expect(poolSecrets.count == 9)
        let identitySecret = Base64.encode(a.identity.unsafeExportSecret().unsafeExportSecret())
        let sessionKeys = ["send_key", "receive_key"].compactMap { x.initiatorSession.encoded()[$0]?.stringValue }
        #expect(sessionKeys.count == 2)
        let texts = [String(describing: b.pool), String(reflecting: b.pool), String(describing: x.initiatorSession),
                     String(reflecting: x.responderSession), String(describing: try a.local()),
                     String(describing: a.identity), String(reflecting: a.identity)]
        var dumped = ""
        dump(x.initiatorSession, to: &dumped)
        dump(b.pool, to: &dumped)
        dump(try a.local(), to: &dumped)
        for secret in poolSecrets + sessionKeys + [identitySecret] {
            for text in texts + [dumped] { #expect(!text.contains(secret)) }
        }
    }
}
