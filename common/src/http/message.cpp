#include "c10k/http/message.hpp"

#include <algorithm>
#include <cctype>

namespace c10k::http {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

const std::string* MessageHead::header(std::string_view name) const {
    for (const Header& h : headers)
        if (equals_ignoring_case(h.name, name)) return &h.value;
    return nullptr;
}

}  // namespace c10k::http
