// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors
#ifndef KEYMESH_CSODIUM_SHIM_H
#define KEYMESH_CSODIUM_SHIM_H
#include <sodium.h>
#endif
