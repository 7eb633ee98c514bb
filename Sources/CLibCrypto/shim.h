// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors
//
// OpenSSL's libcrypto, used only for mod-p Diffie-Hellman in KeyMeshMSL (docs/MSL.md §5.1):
// neither swift-crypto nor libsodium has finite-field DH. The low-level DH API is deprecated in
// OpenSSL 3 but maintained; suppress the warnings rather than re-implement anything.
#ifndef KEYMESH_CLIBCRYPTO_SHIM_H
#define KEYMESH_CLIBCRYPTO_SHIM_H
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/bn.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#endif
