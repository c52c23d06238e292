// One test main for every doctest program: doctest's runner, with CAF's test
// DSL available (CAF_TEST_NO_MAIN keeps CAF's own runner out).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>
