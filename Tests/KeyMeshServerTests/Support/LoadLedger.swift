// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation

/// What the clients of the kill -9 test did and what the server acknowledged, and the checks
/// run on it at the end (docs/SECURITY.md "Tests that attack"). A device is named
/// `user|device`; a one-time key by its key id (unique per test: each client numbers its own).
actor LoadLedger {
    /// The port the server listens on now (it moves at every restart).
    private(set) var port: Int
    /// Keys sent in any upload, acknowledged or not: key id to public key.
    private var attempted: [String: [String: String]] = [:]
    /// Keys of uploads answered 200.
    private var acknowledged: [String: [String: String]] = [:]
    /// Every key handed out by a claim answered 200: device, key id, public key.
    private var claimed: [(device: String, id: String, key: String)] = []
    /// Claims of a device that got no answer (the server died): each may have used up a key.
    private var unanswered: [String: Int] = [:]
    /// Message ids sent (acknowledged or not), and the acknowledged ones by recipient device.
    private var sent: Set<String> = []
    private var sentAcknowledged: [String: Set<String>] = [:]
    /// Message ids each device received, in order (duplicates kept: they are the failure).
    private var received: [String: [String]] = [:]
    private(set) var counts = (uploads: 0, claims: 0, sends: 0, failures: 0)
    /// Each device's unclaimed key count, as its last upload reported it.
    private var stock: [String: Int] = [:]

    /// Set when the load is over: clients finish their current step and return.
    private(set) var stopping = false

    init(port: Int) { self.port = port }

    func moved(to port: Int) { self.port = port }
    func stop() { stopping = true }
    func failed() { counts.failures += 1 }

    func willUpload(_ device: String, _ keys: [String: String]) { attempted[device, default: [:]].merge(keys) { $1 } }
    func uploaded(_ device: String, _ keys: [String: String], stock: Int) {
        acknowledged[device, default: [:]].merge(keys) { $1 }
        counts.uploads += 1
        self.stock[device] = stock
    }

    /// Whether `device` has published enough keys for now (a real client tops up to a target).
    func wellStocked(_ device: String) -> Bool { stock[device, default: 0] >= 100 }

    func claimed(_ device: String, id: String, key: String) {
        claimed.append((device, id, key))
        counts.claims += 1
    }
    func claimUnanswered(_ device: String) { unanswered[device, default: 0] += 1 }

    func willSend(_ id: String) { sent.insert(id) }
    func sentAcknowledged(_ id: String, to device: String) {
        sentAcknowledged[device, default: []].insert(id)
        counts.sends += 1
    }
    func received(_ ids: [String], by device: String) { received[device, default: []] += ids }

    /// Everything that is wrong, one line each; empty when every invariant holds.
    func violations() -> [String] {
        var problems: [String] = []
        // no one-time key handed out twice, and every handed-out key is one that was uploaded
        var seen: [String: Int] = [:]
        for claim in claimed {
            seen["\(claim.device) \(claim.id)", default: 0] += 1
            if attempted[claim.device]?[claim.id] != claim.key {
                problems.append("claimed key \(claim.device) \(claim.id) was never uploaded with that value")
            }
        }
        for (key, times) in seen where times > 1 { problems.append("one-time key \(key) handed out \(times) times") }
        // every acknowledged key was handed out once, except at most one per claim that died unanswered
        for (device, keys) in acknowledged {
            let lost = keys.keys.filter { seen["\(device) \($0)"] == nil }
            if lost.count > unanswered[device, default: 0] {
                problems.append("\(device): \(lost.count) acknowledged keys never handed out "
                                + "(only \(unanswered[device, default: 0]) claims went unanswered): \(lost.sorted().prefix(5))")
            }
        }
        // every acknowledged message delivered exactly once; nothing delivered twice or invented
        for (device, ids) in received {
            var times: [String: Int] = [:]
            for id in ids { times[id, default: 0] += 1 }
            for (id, n) in times where n > 1 { problems.append("\(device) received message \(id) \(n) times") }
            for id in times.keys where !sent.contains(id) { problems.append("\(device) received unknown message \(id)") }
        }
        for (device, ids) in sentAcknowledged {
            let got = Set(received[device] ?? [])
            let missing = ids.subtracting(got)
            if !missing.isEmpty { problems.append("\(device): \(missing.count) acknowledged messages lost: \(missing.sorted().prefix(5))") }
        }
        return problems
    }

    /// Devices with acknowledged keys, for the final drain.
    var devicesWithKeys: [String] { Array(acknowledged.keys) }
}
