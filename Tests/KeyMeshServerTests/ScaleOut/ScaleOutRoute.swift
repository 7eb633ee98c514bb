// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The load balancer of the kill -9 test: hands out the live instances in turn, forgets one
/// once it is killed (as a proxy marks a dead backend down), and counts what each instance
/// answered.
actor ScaleOutRoute {
    private let ports: [Int]
    private var alive: [Bool]
    private var turn = 0
    private var killedAt: ContinuousClock.Instant?

    /// Per instance: requests answered (any status), answered with a 5xx, given no answer, and
    /// answered after the kill.
    private(set) var answered: [Int]
    private(set) var serverErrors: [Int]
    private(set) var unanswered: [Int]
    private(set) var answeredAfterKill: [Int]

    init(ports: [Int]) {
        self.ports = ports
        alive = ports.map { _ in true }
        let zeros = ports.map { _ in 0 }
        answered = zeros
        serverErrors = zeros
        unanswered = zeros
        answeredAfterKill = zeros
    }

    /// The next live instance: its index and port.
    func next() -> (index: Int, port: Int) {
        for _ in ports.indices {
            turn = (turn + 1) % ports.count
            if alive[turn] { return (turn, ports[turn]) }
        }
        return (0, ports[0])
    }

    func killed(_ index: Int) {
        alive[index] = false
        killedAt = ContinuousClock.now
    }

    func record(_ index: Int, status: Int?) {
        guard let status else {
            unanswered[index] += 1
            return
        }
        answered[index] += 1
        if status >= 500 { serverErrors[index] += 1 }
        if killedAt != nil { answeredAfterKill[index] += 1 }
    }
}
