// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

// Header-only target: SwiftPM wants one source file.
#include "CLibFuzzer.h"
