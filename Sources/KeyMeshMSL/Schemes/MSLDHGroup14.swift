// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CLibCrypto
import KeyMeshCrypto

extension MSLDHParameters {
    /// The one built-in set, `rfc3526-modp2048`: the 2048-bit MODP group 14 of RFC 3526 with
    /// g = 2 (docs/MSL.md §5.1). Key pairs in it are made by OpenSSL's named group
    /// (`NID_modp_2048`), so the private exponent length is OpenSSL's for that group.
    public static let rfc3526Group14 = MSLDHParameters(
        namedGroup: "rfc3526-modp2048", nid: NID_modp_2048, prime: Hex.decode(group14PrimeHex) ?? [], generator: [2]
    )

    /// RFC 3526 §3, the 2048-bit MODP prime p = 2^2048 − 2^1984 − 1 + 2^64 · (⌊2^1918 π⌋ + 124476).
    static let group14PrimeHex =
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
        + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
        + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
        + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
        + "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
        + "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
        + "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
        + "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF"
}
