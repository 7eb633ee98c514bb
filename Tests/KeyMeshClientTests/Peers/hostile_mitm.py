"""The `mitm` mode of hostile_proxy.py: a full man in the middle (docs/P2P.md §7, "The code's length").

The server shows the joiner J a device of its own in place of the authoriser O, and O one in
place of J (same device ids, the attacker's Ed25519 keys in /keys/query, pool records signed with
them). It answers J's `join` request itself, opens its own `join` session with O posing as J, and
relays every sealed message between the two sessions. Both VCS values are logged: the person reads
O's code, J holds another one, so J aborts unless the two collide (2^-25).

With `impostors` > 0 the server also shows J that many extra devices of the user (ids
IMPOSTOR0, IMPOSTOR1, ...), each with a record of the attacker's: J asks each of them too, and
every session the attacker answers is one more VCS that J compares the typed code with.
"""
import secrets

import p2p_peer as pp

PROTO = pp.PROTO


class Impostor:
    """The attacker's stand-in for one device: its Ed25519 key, its identity key and its pool."""

    def __init__(self, user_id, device_id):
        self.user_id, self.device_id = user_id, device_id
        self.ed_seed = secrets.token_bytes(32)
        self.identity_secret, self.identity_public = pp.x_keypair()
        self.pool = {pp.b64url(secrets.token_bytes(9)): pp.x_keypair() for _ in range(pp.POOL_SIZE)}

    def device_keys(self, genuine):
        obj = {k: v for k, v in genuine.items() if k not in ("signatures", "unsigned")}
        obj["keys"] = dict(obj.get("keys") or {}, **{"ed25519:" + self.device_id: pp.ed_pub(self.ed_seed)})
        return pp.add_signature(obj, self.user_id, "ed25519:" + self.device_id, self.ed_seed)

    def record(self):
        expires = pp.now_ms() + pp.KEY_LIFETIME_MS
        record = {"algorithm": PROTO, "user_id": self.user_id, "device_id": self.device_id,
                  "identity_key": pp.b64(self.identity_public),
                  "keys": [{"id": kid, "digest": pp.digest(pub), "expires_ts": expires} for kid, (_, pub) in self.pool.items()]}
        return pp.add_signature(record, self.user_id, "ed25519:" + self.device_id, self.ed_seed)


def header(src, src_kid, dst, dst_kid, seq, typ):
    return {"version": 1, "srcclientid": src, "srckeyid": src_kid, "dstclientid": dst, "dstkeyid": dst_kid,
            "sequence": seq, "type": typ}


class Mitm:
    def __init__(self, joiner, authoriser, inject, log, impostors=0):
        self.joiner, self.authoriser = joiner, authoriser
        self.extra = [f"IMPOSTOR{i}" for i in range(impostors)]
        self.vcs_joiner = []  # the VCS of every session the attacker holds with the joiner
        self.inject, self.log = inject, log  # inject(device, event); log(entry)
        self.fake = {}  # device id -> Impostor
        self.sessions = {}  # "joiner" / "authoriser" -> the attacker's session with that device
        self.pending = None  # the attacker's request to the authoriser, waiting for its answer

    def impostor(self, user_id, device_id):
        if device_id not in self.fake:
            self.fake[device_id] = Impostor(user_id, device_id)
        return self.fake[device_id]

    def other(self, device):
        return {self.joiner: self.authoriser, self.authoriser: self.joiner}.get(device)

    def query(self, device, answer):
        """/keys/query as `device` sees it: the other device has the attacker's Ed25519 key."""
        target = self.other(device)
        for user_id, devices in (answer.get("device_keys") or {}).items():
            if isinstance(devices, dict) and isinstance(devices.get(target), dict):
                genuine = devices[target]
                devices[target] = self.impostor(user_id, target).device_keys(genuine)
                self.log({"kind": "action", "action": "mitm-keys", "device": device, "replaced": target})
                if device == self.joiner:
                    for extra in self.extra:
                        devices[extra] = self.impostor(user_id, extra).device_keys(dict(genuine, device_id=extra, keys={
                            k.replace(target, extra): v for k, v in genuine.get("keys", {}).items()}))
        return answer

    def record(self, device, pool_device, answer):
        if device == self.joiner and pool_device in [self.authoriser] + self.extra and pool_device in self.fake:
            self.log({"kind": "action", "action": "mitm-record", "device": device, "record_of": pool_device})
            return self.fake[pool_device].record()
        return answer

    def event(self, user_id, content):
        return {"sender": user_id, "type": PROTO, "content": content}

    def outgoing(self, device, user_id, content, fetch_record):
        """A message `device` sends; True if the attacker took it (it is not forwarded)."""
        if not isinstance(content, dict):
            return False
        typ = content.get("type")
        if device == self.joiner and content.get("dstclientid") in self.extra:
            if typ == "sessionrequest":
                self.answer_joiner(user_id, content, as_device=content["dstclientid"])
            return True
        if content.get("dstclientid") != self.other(device):
            return False
        if typ == "sessionrequest" and device == self.joiner:
            self.answer_joiner(user_id, content)
            self.ask_authoriser(user_id, fetch_record(self.authoriser))
        elif typ == "sessionresponse" and device == self.authoriser:
            self.complete(content)
        elif typ in pp.SEALED_TYPES:
            self.relay(device, user_id, content)
        return True

    def answer_joiner(self, user_id, content, as_device=None):
        """docs/P2P.md §5 step 2, as the authoriser's impostor (or another impostor device)."""
        as_device = as_device or self.authoriser
        fake_o = self.impostor(user_id, as_device)
        body, kid = content["body"], content["dstkeyid"]
        be_s, be_p = fake_o.pool[kid]
        a_ip, a_ep = pp.unb64(body["record"]["identity_key"], 32), pp.unb64(body["srckey"], 32)
        ikm = pp.dh(be_s, a_ip) + pp.dh(fake_o.identity_secret, a_ep) + pp.dh(be_s, a_ep)
        k_ab, k_ba, k_confirm, k_code = pp.derive(user_id, body["purpose"], self.joiner, content["srckeyid"], a_ip, a_ep,
                                                  as_device, kid, fake_o.identity_public, be_p, ikm)
        self.vcs_joiner.append(pp.vcs_of(k_code))
        if as_device == self.authoriser:
            self.sessions["joiner"] = {"send": k_ba, "recv": k_ab, "seq": 1, "local": kid, "remote": content["srckeyid"],
                                       "vcs": pp.vcs_of(k_code)}
        response = header(as_device, kid, self.joiner, content["srckeyid"], 1, "sessionresponse")
        response["body"] = {"status": "okay", "message": "ephemeral key okay", "dstkey": pp.b64(be_p),
                            "auth": pp.b64(pp.verifier(k_confirm))}
        self.inject(self.joiner, self.event(user_id, response))

    def ask_authoriser(self, user_id, record):
        """docs/P2P.md §5 step 1, as the joiner's impostor, on the authoriser's genuine record."""
        fake_j = self.impostor(user_id, self.joiner)
        entry = record["keys"][0]
        ae_s, ae_p = pp.x_keypair()
        kid = pp.b64url(secrets.token_bytes(9))
        self.pending = {"ae_s": ae_s, "ae_p": ae_p, "local": kid, "remote": entry["id"], "digest": entry["digest"],
                        "b_ip": pp.unb64(record["identity_key"], 32)}
        request = header(self.joiner, kid, self.authoriser, entry["id"], 1, "sessionrequest")
        request["body"] = {"purpose": "join", "srckey": pp.b64(ae_p), "dstkeydigest": entry["digest"], "record": fake_j.record()}
        self.inject(self.authoriser, self.event(user_id, request))

    def complete(self, content):
        """docs/P2P.md §5 step 3 on the authoriser's answer."""
        p, body = self.pending, content.get("body") or {}
        if p is None or body.get("status") != "okay":
            self.log({"kind": "action", "action": "mitm-refused", "message": body.get("message")})
            return
        fake_j = self.fake[self.joiner]
        be_p = pp.unb64(body["dstkey"], 32)
        ikm = pp.dh(fake_j.identity_secret, be_p) + pp.dh(p["ae_s"], p["b_ip"]) + pp.dh(p["ae_s"], be_p)
        k_ab, k_ba, k_confirm, k_code = pp.derive(fake_j.user_id, "join", self.joiner, p["local"], fake_j.identity_public,
                                                  p["ae_p"], self.authoriser, p["remote"], p["b_ip"], be_p, ikm)
        ok = pp.digest(be_p) == p["digest"] and pp.verifier(k_confirm) == pp.unb64(body.get("auth"), 32)
        self.sessions["authoriser"] = {"send": k_ab, "recv": k_ba, "seq": 1, "local": p["local"], "remote": p["remote"],
                                       "vcs": pp.vcs_of(k_code)}
        self.log({"kind": "action", "action": "mitm-sessions", "verified": ok,
                  "vcs_joiner": self.sessions.get("joiner", {}).get("vcs"), "vcs_authoriser": pp.vcs_of(k_code),
                  "joiner_sessions": len(self.vcs_joiner)})

    def relay(self, device, user_id, content):
        """Opens a sealed message on the attacker's session with its sender, seals it on the other."""
        came, goes = ("joiner", "authoriser") if device == self.joiner else ("authoriser", "joiner")
        source, target = self.sessions.get(came), self.sessions.get(goes)
        if source is None or target is None:
            return
        try:
            body = pp.unseal(source["recv"], pp.parse_message(content, self.other(device)), content["ciphertext"])
        except (pp.ProtocolError, KeyError):
            return
        self.log({"kind": "action", "action": "mitm-relay", "type": content["type"], "from": device,
                  "keys": sorted(body) if isinstance(body, dict) else None})
        target["seq"] += 1
        h = header(device, target["local"], self.other(device), target["remote"], target["seq"], content["type"])
        self.inject(self.other(device), self.event(user_id, dict(h, ciphertext=pp.seal(target["send"], h, body))))
