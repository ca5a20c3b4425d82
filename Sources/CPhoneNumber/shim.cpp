// The C API of include/cphonenumber.h over libphonenumber. Keep it small: everything policy-like
// (regions, caching, batching) lives in the Swift module PhoneNumbers.
#include "cphonenumber.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstring>
#include <set>
#include <string>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

const PhoneNumberUtil &util() { return *PhoneNumberUtil::GetInstance(); }

// One text buffer per thread: no allocation per call once it has grown to the longest input.
std::string &scratch() {
    thread_local std::string text;
    return text;
}

// Pre-processing, exactly as docs/normalisation.md "Pre-processing" specifies (the Python judge in
// scripts/phonenumbers-reference.py implements the same three steps).
// Longer pre-processed values are too_long without parsing (the Java and Python ports have the same
// limit, 250 characters, inside parse; Debian's C++ build has none).
const size_t kMaxCharacters = 250;

bool isInvisible(uint32_t c) {
    return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || c == 0x2060 ||
           (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

bool isWhitespace(uint32_t c) {  // Unicode White_Space
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

// Decodes one UTF-8 sequence at p (< end); returns its length, or 0 if it is malformed.
size_t decode(const unsigned char *p, const unsigned char *end, uint32_t *c) {
    unsigned char b = p[0];
    size_t n;
    uint32_t v, min;
    if (b < 0x80) { *c = b; return 1; }
    if ((b & 0xE0) == 0xC0) { n = 2; v = b & 0x1F; min = 0x80; }
    else if ((b & 0xF0) == 0xE0) { n = 3; v = b & 0x0F; min = 0x800; }
    else if ((b & 0xF8) == 0xF0) { n = 4; v = b & 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *c = v;
    return n;
}

// Removes invisible characters, maps whitespace to ' ', trims spaces; counts the characters left.
// False on malformed UTF-8.
bool preprocess(const char *utf8, size_t len, std::string *out, size_t *characters) {
    out->clear();
    size_t count = 0;
    const unsigned char *p = reinterpret_cast<const unsigned char *>(utf8), *end = p + len;
    while (p < end) {
        uint32_t c;
        size_t n = decode(p, end, &c);
        if (n == 0) return false;
        if (isWhitespace(c)) { out->push_back(' '); count++; }
        else if (!isInvisible(c)) { out->append(reinterpret_cast<const char *>(p), n); count++; }
        p += n;
    }
    size_t first = out->find_first_not_of(' ');
    if (first == std::string::npos) { out->clear(); *characters = 0; return true; }
    size_t last = out->find_last_not_of(' ');
    size_t before = out->size();
    out->erase(last + 1);
    out->erase(0, first);
    *characters = count - (before - out->size());  // trimmed spaces are one byte, one character each
    return true;
}

cpn_reason reasonForParseError(PhoneNumberUtil::ErrorType e) {
    switch (e) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return CPN_REASON_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::NOT_A_NUMBER: return CPN_REASON_NOT_A_NUMBER;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN: return CPN_REASON_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG_NSN: return CPN_REASON_TOO_LONG;
    default: return CPN_REASON_UNPARSEABLE;
    }
}

// "+442079460958" -> 442079460958; 0 if it is not '+' followed by 1...19 digits.
uint64_t digitsOf(const std::string &e164) {
    if (e164.size() < 2 || e164.size() > 20 || e164[0] != '+') return 0;
    uint64_t v = 0;
    for (size_t i = 1; i < e164.size(); i++) {
        char ch = e164[i];
        if (ch < '0' || ch > '9') return 0;
        v = v * 10 + (uint64_t)(ch - '0');
    }
    return v;
}

void setUnparseable(cpn_result *out, cpn_reason reason) {
    out->kind = CPN_KIND_UNPARSEABLE;
    out->reason = reason;
    out->number_type = CPN_TYPE_UNKNOWN;
    out->country_code = 0;
    out->e164 = 0;
}

void classify(const PhoneNumber &number, cpn_result *out) {
    const PhoneNumberUtil &u = util();
    out->country_code = number.country_code();
    out->number_type = CPN_TYPE_UNKNOWN;
    out->e164 = 0;
    // IsValidNumber is "GetNumberType(number) != UNKNOWN" (both look up the number's region, then
    // match its national number against that region's type patterns): one lookup does for both.
    PhoneNumberUtil::PhoneNumberType type = u.GetNumberType(number);
    bool valid = type != PhoneNumberUtil::UNKNOWN;
    PhoneNumberUtil::ValidationResult possible = PhoneNumberUtil::IS_POSSIBLE;
    if (!valid) possible = u.IsPossibleNumberWithReason(number);
    if (valid || possible == PhoneNumberUtil::IS_POSSIBLE) {
        std::string formatted;
        u.Format(number, PhoneNumberUtil::E164, &formatted);
        out->e164 = digitsOf(formatted);
        if (out->e164 == 0) { setUnparseable(out, CPN_REASON_UNPARSEABLE); return; }
        out->kind = valid ? CPN_KIND_VALID : CPN_KIND_POSSIBLE_ONLY;
        out->reason = CPN_REASON_NONE;
        out->number_type = type;
        return;
    }
    switch (possible) {
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
        out->kind = CPN_KIND_LOCAL_ONLY; out->reason = CPN_REASON_LOCAL_ONLY; return;
    case PhoneNumberUtil::TOO_SHORT:
        out->kind = CPN_KIND_IMPOSSIBLE; out->reason = CPN_REASON_TOO_SHORT; return;
    case PhoneNumberUtil::TOO_LONG:
        out->kind = CPN_KIND_IMPOSSIBLE; out->reason = CPN_REASON_TOO_LONG; return;
    case PhoneNumberUtil::INVALID_LENGTH:
        out->kind = CPN_KIND_IMPOSSIBLE; out->reason = CPN_REASON_INVALID_LENGTH; return;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
        out->kind = CPN_KIND_IMPOSSIBLE; out->reason = CPN_REASON_INVALID_COUNTRY_CODE; return;
    default:
        setUnparseable(out, CPN_REASON_UNPARSEABLE); return;
    }
}

void copyRegion(const std::string &region, char out[4]) {
    size_t n = region.size() < 3 ? region.size() : 3;
    std::memcpy(out, region.data(), n);
    out[n] = '\0';
}

}  // namespace

extern "C" void cpn_normalize(const char *utf8, size_t len, const char *region, cpn_result *out) {
    try {
        std::string &text = scratch();
        size_t characters;
        if (!preprocess(utf8, len, &text, &characters)) { setUnparseable(out, CPN_REASON_UNPARSEABLE); return; }
        if (characters == 0) { setUnparseable(out, CPN_REASON_EMPTY); return; }
        // libphonenumber's regular expressions take quadratic time on long inputs (5,000 digits: 0.4 s).
        if (characters > kMaxCharacters) { setUnparseable(out, CPN_REASON_TOO_LONG); return; }
        PhoneNumber number;
        PhoneNumberUtil::ErrorType error = util().Parse(text, region ? region : "ZZ", &number);
        if (error != PhoneNumberUtil::NO_PARSING_ERROR) { setUnparseable(out, reasonForParseError(error)); return; }
        classify(number, out);
    } catch (...) {
        setUnparseable(out, CPN_REASON_UNPARSEABLE);
    }
}

extern "C" ptrdiff_t cpn_preprocess(const char *utf8, size_t len, char *out) {
    try {
        std::string &text = scratch();
        size_t characters;
        if (!preprocess(utf8, len, &text, &characters)) return -1;
        std::memcpy(out, text.data(), text.size());
        return (ptrdiff_t)text.size();
    } catch (...) {
        return -1;
    }
}

extern "C" int cpn_describe_e164(uint64_t e164, cpn_result *out, char region_out[4]) {
    try {
        copyRegion("ZZ", region_out);
        PhoneNumber number;
        if (e164 == 0 || util().Parse("+" + std::to_string(e164), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
            setUnparseable(out, CPN_REASON_NOT_A_NUMBER);
            return 0;
        }
        classify(number, out);
        std::string region;
        util().GetRegionCodeForNumber(number, &region);
        // A number in no known range (possible only) still belongs to its calling code's main region.
        if (region == "ZZ") util().GetRegionCodeForCountryCode(number.country_code(), &region);
        copyRegion(region, region_out);
        return 1;
    } catch (...) {
        setUnparseable(out, CPN_REASON_UNPARSEABLE);
        return 0;
    }
}

extern "C" size_t cpn_supported_regions(char *buf, size_t cap) {
    try {
        std::set<std::string> regions;
        util().GetSupportedRegions(&regions);
        std::string joined;
        for (const std::string &r : regions) {
            if (!joined.empty()) joined.push_back(',');
            joined += r;
        }
        if (joined.size() < cap) std::memcpy(buf, joined.c_str(), joined.size() + 1);
        return joined.size();
    } catch (...) {
        if (cap > 0) buf[0] = '\0';
        return 0;
    }
}

extern "C" void cpn_region_for_calling_code(int32_t calling_code, char region_out[4]) {
    try {
        std::string region;
        util().GetRegionCodeForCountryCode(calling_code, &region);
        copyRegion(region, region_out);
    } catch (...) {
        copyRegion("ZZ", region_out);
    }
}

extern "C" int32_t cpn_calling_code_for_region(const char *region) {
    try {
        return region ? util().GetCountryCodeForRegion(region) : 0;
    } catch (...) {
        return 0;
    }
}
