// SPDX-License-Identifier: MIT
#pragma once
// The whole public API.

#include <hebllm/build_info.hpp>
#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>
#include <hebllm/network.hpp>
