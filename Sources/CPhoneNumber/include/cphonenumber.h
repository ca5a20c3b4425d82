#ifndef CPHONENUMBER_H
#define CPHONENUMBER_H
/*
 * A plain C API over Google's libphonenumber (Debian's libphonenumber 8.12.57).
 * Swift's C++ interop cannot import libphonenumber's headers, so Swift sees only this file.
 *
 * - No C++ exception crosses this boundary: every entry point catches everything and reports
 *   CPN_KIND_UNPARSEABLE / CPN_REASON_UNPARSEABLE (or returns 0) instead.
 * - No allocation is asked of the caller beyond the output structs and buffers it passes in.
 * - Thread-safe: libphonenumber's PhoneNumberUtil is a process-wide singleton created under
 *   pthread_once, and its regular-expression cache is guarded by a pthread mutex (Debian builds
 *   it with lock_posix.h), so concurrent calls from several threads are safe.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which step decided. */
typedef enum {
    CPN_KIND_VALID = 0,         /* IsValidNumber: in a range the metadata knows */
    CPN_KIND_POSSIBLE_ONLY = 1, /* IsPossibleNumberWithReason == IS_POSSIBLE, but not valid */
    CPN_KIND_LOCAL_ONLY = 2,    /* IS_POSSIBLE_LOCAL_ONLY: lacks an area code, cannot be made E.164 */
    CPN_KIND_IMPOSSIBLE = 3,    /* parsed, but TOO_SHORT / TOO_LONG / INVALID_LENGTH / INVALID_COUNTRY_CODE */
    CPN_KIND_UNPARSEABLE = 4,   /* empty after pre-processing, or Parse() failed */
} cpn_kind;

/* Why (CPN_REASON_NONE for valid and possible-only numbers). */
typedef enum {
    CPN_REASON_NONE = 0,
    CPN_REASON_EMPTY = 1,                /* nothing left after pre-processing */
    CPN_REASON_NOT_A_NUMBER = 2,         /* Parse: NOT_A_NUMBER */
    CPN_REASON_TOO_SHORT = 3,            /* Parse: TOO_SHORT_NSN / TOO_SHORT_AFTER_IDD, or TOO_SHORT */
    CPN_REASON_TOO_LONG = 4,             /* Parse: TOO_LONG_NSN, or TOO_LONG */
    CPN_REASON_INVALID_LENGTH = 5,       /* INVALID_LENGTH */
    CPN_REASON_INVALID_COUNTRY_CODE = 6, /* Parse: INVALID_COUNTRY_CODE_ERROR, or INVALID_COUNTRY_CODE */
    CPN_REASON_LOCAL_ONLY = 7,           /* IS_POSSIBLE_LOCAL_ONLY */
    CPN_REASON_UNPARSEABLE = 8,          /* invalid UTF-8, or an exception inside libphonenumber */
} cpn_reason;

/* libphonenumber's PhoneNumberUtil::PhoneNumberType, same order. */
typedef enum {
    CPN_TYPE_FIXED_LINE = 0,
    CPN_TYPE_MOBILE = 1,
    CPN_TYPE_FIXED_LINE_OR_MOBILE = 2,
    CPN_TYPE_TOLL_FREE = 3,
    CPN_TYPE_PREMIUM_RATE = 4,
    CPN_TYPE_SHARED_COST = 5,
    CPN_TYPE_VOIP = 6,
    CPN_TYPE_PERSONAL_NUMBER = 7,
    CPN_TYPE_PAGER = 8,
    CPN_TYPE_UAN = 9,
    CPN_TYPE_VOICEMAIL = 10,
    CPN_TYPE_UNKNOWN = 11,
} cpn_number_type;

typedef struct {
    int32_t kind;         /* cpn_kind */
    int32_t reason;       /* cpn_reason */
    int32_t number_type;  /* cpn_number_type; CPN_TYPE_UNKNOWN unless the number parsed */
    int32_t country_code; /* calling code of the parsed number, 0 if it did not parse */
    uint64_t e164;        /* valid / possible-only: the E.164 digits as an integer
                             (+442079460958 -> 442079460958); 0 otherwise */
} cpn_result;

/*
 * Pre-processes `utf8[0..<len]` (see docs/normalisation.md: invisible characters removed, Unicode
 * whitespace mapped to a space, spaces trimmed), parses it with `region` (a supported ISO 3166
 * alpha-2 code such as "GB", or "ZZ" when unknown: then only "+..." numbers parse), and classifies.
 */
void cpn_normalize(const char *utf8, size_t len, const char *region, cpn_result *out);

/* Applies only the pre-processing to utf8[0..<len], writing the result to `out`, whose capacity
   must be >= len (the result is never longer than the input). Returns the result's length, or -1
   if the input is malformed UTF-8. */
ptrdiff_t cpn_preprocess(const char *utf8, size_t len, char *out);

/* Describes an E.164 number given as digits (no '+'): fills number_type and country_code, and
   writes the region it belongs to (e.g. "GB", "001" for non-geographic entities, "ZZ" when
   unknown) into region_out (capacity >= 4). Returns 1 if the number parsed, 0 otherwise. */
int cpn_describe_e164(uint64_t e164, cpn_result *out, char region_out[4]);

/* The supported regions, as two-letter codes separated by ',' (sorted) into buf (NUL-terminated).
   Returns the length needed without the NUL; if that is >= cap, nothing useful was written. */
size_t cpn_supported_regions(char *buf, size_t cap);

/* The main region of a calling code (1 -> "US", 44 -> "GB", 800 -> "001", unknown -> "ZZ"),
   written NUL-terminated into region_out (capacity >= 4). */
void cpn_region_for_calling_code(int32_t calling_code, char region_out[4]);

/* The calling code of a supported region ("GB" -> 44), 0 if unknown. */
int32_t cpn_calling_code_for_region(const char *region);

#ifdef __cplusplus
}
#endif
#endif
