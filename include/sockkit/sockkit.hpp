// SPDX-License-Identifier: MIT
/// @file
/// Everything in one include.
#pragma once

#include "sockkit/backend.hpp"
#include "sockkit/client.hpp"
#include "sockkit/clock.hpp"
#include "sockkit/connection.hpp"
#include "sockkit/endpoint.hpp"
#include "sockkit/entropy.hpp"
#include "sockkit/error.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/framing.hpp"
#include "sockkit/mqtt.hpp"
#include "sockkit/reconnecting_client.hpp"
#include "sockkit/resolver.hpp"
#include "sockkit/result.hpp"
#include "sockkit/server.hpp"
#include "sockkit/socket.hpp"
#include "sockkit/stack.hpp"
#include "sockkit/tcp_listener.hpp"
#include "sockkit/tcp_stream.hpp"
#include "sockkit/tls.hpp"
#include "sockkit/tls_stream.hpp"
#include "sockkit/types.hpp"
#include "sockkit/udp_channel.hpp"
#include "sockkit/udp_socket.hpp"
#include "sockkit/websocket.hpp"
