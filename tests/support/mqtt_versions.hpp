// SPDX-License-Identifier: MIT
// The MQTT protocol levels the build under test speaks: a build configured
// with SOCKKIT_MQTT5=OFF has MQTT 3.1.1 only, and its tests of MQTT 5 skip.
#pragma once

#include <gtest/gtest.h>

#include "sockkit/mqtt.hpp"

/// Ends the running test (or fixture set-up) as skipped when the build leaves
/// protocol level `v` out.
#define SOCKKIT_SKIP_UNLESS_BUILT_WITH(v)     \
  if (!::sockkit::mqtt::version_available(v)) \
  GTEST_SKIP() << "MQTT 5 is left out of this build (SOCKKIT_MQTT5=OFF)"
