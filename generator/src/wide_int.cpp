#include "wide_int.hpp"

namespace pschema::gen {

std::string to_decimal(WideInt value) {
  __extension__ typedef unsigned __int128 WideUnsigned;
  const bool negative = value < 0;
  // Negated as unsigned: the most negative value has no positive counterpart.
  WideUnsigned magnitude = negative ? -static_cast<WideUnsigned>(value) : static_cast<WideUnsigned>(value);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  return negative ? "-" + digits : digits;
}

}  // namespace pschema::gen
