// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Turns interleaved rates into the printed tables.
struct OlmBenchReport {
    let rates: [String: [Double]]
    let vodozemac: [[String: Double]]

    private func median(_ name: String) -> Double { (rates[name] ?? []).median }

    private func floors() -> [Floor] {
        zip(rates["x25519"] ?? [], rates["keygen"] ?? []).map { Floor(x25519: $0, keygen: $1) }
    }

    /// Median over rounds of `floor(round) / rate(round)`: the cost relative to the floor.
    private func costRatio(_ name: String, _ floor: (Floor) -> Double) -> Double {
        zip(floors(), rates[name] ?? []).map { floor($0) / $1 }.median
    }

    func printPrimitives() {
        print("Floor (swift-crypto primitives on this machine):")
        BenchRow.print([
            BenchRow(name: "X25519 agreement", perSecond: median("x25519"), note: ""),
            BenchRow(name: "X25519 key generation", perSecond: median("keygen"), note: ""),
            BenchRow(name: "Ed25519 sign (200 B)", perSecond: median("sign"), note: ""),
            BenchRow(name: "Ed25519 verify (200 B)", perSecond: median("verify"), note: ""),
            BenchRow(name: "HMAC-SHA-256 (1 B)", perSecond: median("hmac"), note: ""),
            BenchRow(name: "HKDF-SHA-256 (80 B out)", perSecond: median("hkdf"), note: ""),
        ])
    }

    func printOlm() {
        let x25519Ratio = zip(rates["x25519"] ?? [], rates["message"] ?? []).map { $0 / $1 }.median
        print("Olm (cost = time per operation / time of the X25519 work it must do; 1.00x = the floor):")
        BenchRow.print([
            BenchRow(name: "outbound session creation", perSecond: median("outbound"),
                     note: "cost \(costRatio("outbound", \.outbound).ratio)  (floor: 3 agreements + 2 key generations)"),
            BenchRow(name: "inbound session creation", perSecond: median("inbound"),
                     note: "cost \(costRatio("inbound", \.inbound).ratio)  (floor: 3 agreements; also decrypts the first message)"),
            BenchRow(name: "1 KiB encrypt + decrypt", perSecond: median("message"),
                     note: "cost \(x25519Ratio.ratio) of one X25519 agreement (no agreement needed)"),
            BenchRow(name: "ratchet turn (2 messages)", perSecond: median("ratchet"),
                     note: "cost \(costRatio("ratchet", \.ratchet).ratio)  (floor: 4 agreements + 2 key generations)"),
        ])
    }

    func printVodozemac() {
        func speedup(_ ours: String, _ theirs: String) -> (Double, Double) {
            let pairs = zip(rates[ours] ?? [], vodozemac.map { $0[theirs] ?? 0 }).filter { $0.1 > 0 }
            return (pairs.map(\.1).median, pairs.map { $0.0 / $0.1 }.median)
        }
        print("vodozemac (Rust, through its Python binding; one slice after each KeyMesh round):")
        let rows = [("outbound session creation", "outbound"), ("inbound session creation", "inbound"),
                    ("1 KiB encrypt + decrypt", "message")]
        BenchRow.print(rows.map { title, key in
            let (rate, ratio) = speedup(key, key)
            return BenchRow(name: title, perSecond: rate, note: "KeyMesh/vodozemac \(ratio.ratio)")
        })
    }
}
