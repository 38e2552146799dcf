// Everything a generated header needs from the runtime.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pschema/access.hpp"
#include "pschema/array.hpp"
#include "pschema/box.hpp"
#include "pschema/errors.hpp"
#include "pschema/handle.hpp"
#include "pschema/log_whole.hpp"
#include "pschema/mutex.hpp"
#include "pschema/optional.hpp"
#include "pschema/pool.hpp"
#include "pschema/rc.hpp"
#include "pschema/session.hpp"
#include "pschema/string.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"
#include "pschema/vec.hpp"
#include "pschema/version.hpp"
#include "pschema/value.hpp"
#include "pschema/map.hpp"
