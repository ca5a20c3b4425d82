#!/usr/bin/env python3
"""The independent judge of the PhoneNumbers normaliser: the `phonenumbers` package (8.12.57, the
metadata of Debian's libphonenumber) behind the pre-processing and classification rules of
docs/normalisation.md, which the Swift side implements too. Run with the venv python of scripts/pyenv.

  judge    --default-region US < inputs.json    # [[raw, region], ...] -> [answer, ...]
  generate --default-region US --seed 7 --count 100000
                                                # -> [[raw, region, answer], ...] (seeded messy corpus)

An answer is NormalizationResult.cacheEncoding: "v+442079460958", "u+447700900123", "x:too_short".
"""
import argparse
import json
import multiprocessing
import os
import random
import re
import sys

import phonenumbers

# phonenumbers compiles region-specific patterns through re's cache (512 entries): over many regions
# it would recompile on almost every call. A larger cache makes the judge ~5x faster, same answers.
re._MAXCACHE = 20000
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, ValidationResult

# ---- The rules (docs/normalisation.md) -------------------------------------------------------

INVISIBLE = [*range(0x200B, 0x2010), *range(0x202A, 0x202F), 0x2060, *range(0x2066, 0x206A), 0xFEFF]
WHITESPACE = [*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029,
              0x202F, 0x205F, 0x3000]
CLEAN = {**{c: None for c in INVISIBLE}, **{c: " " for c in WHITESPACE}}


def clean(text):
    return text.translate(CLEAN).strip(" ")


BLANK = object()


def resolve_region(value):
    """Region column value -> region code, BLANK, or None (unknown)."""
    if value is None or clean(value) == "":
        return BLANK
    value = clean(value)
    if re.fullmatch(r"[A-Za-z]{2}", value):
        code = value.upper()
        return code if code in phonenumbers.SUPPORTED_REGIONS else None
    match = re.fullmatch(r"(?:\+|00)?([0-9]{1,3})", value)
    if match:
        code = phonenumbers.region_code_for_country_code(int(match.group(1)))
        return code if code in phonenumbers.SUPPORTED_REGIONS else None
    return None


PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "invalid_country_code",
    NumberParseException.NOT_A_NUMBER: "not_a_number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
    NumberParseException.TOO_SHORT_NSN: "too_short",
    NumberParseException.TOO_LONG: "too_long",
}
IMPOSSIBLE = {
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local_only",
    ValidationResult.INVALID_COUNTRY_CODE: "invalid_country_code",
    ValidationResult.TOO_SHORT: "too_short",
    ValidationResult.TOO_LONG: "too_long",
    ValidationResult.INVALID_LENGTH: "invalid_length",
}


def normalize(raw, region, default_region):
    if raw is None:
        return "x:empty"
    resolved = resolve_region(region)
    code = default_region if resolved is BLANK else resolved
    text = clean(raw)
    if text == "":
        return "x:empty"
    try:
        number = phonenumbers.parse(text, code or "ZZ")
    except NumberParseException as e:
        reason = PARSE_ERRORS.get(e.error_type, "unparseable")
        if reason == "invalid_country_code" and code is None:
            reason = "unknown_region"
        return "x:" + reason
    if phonenumbers.is_valid_number(number):
        return "v" + phonenumbers.format_number(number, PhoneNumberFormat.E164)
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.IS_POSSIBLE:
        return "u" + phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return "x:" + IMPOSSIBLE.get(possible, "unparseable")


# ---- The messy corpus -------------------------------------------------------------------------

MAIN_REGIONS = ["US", "CA", "GB", "DE", "FR", "IN", "AU", "BR", "JP", "IT", "ES", "NL", "MX", "CN", "RU",
                "ZA", "NG", "AR", "SE", "CH", "BE", "IE", "NZ", "SG", "HK", "KR", "PL", "AT", "PT", "IL"]
TYPES = [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE,
         PhoneNumberType.TOLL_FREE, PhoneNumberType.VOIP, PhoneNumberType.PREMIUM_RATE]
JUNK = ["N/A", "n/a", "unknown", "-", "none", "NULL", "tbd", "0", "00", "+", "++44", "call me", "???",
        "1-800-FLOWERS", "0800 REVERSE", "12ab34cd56", "#", "()", "+()", "—", "email@example.com"]
DIGIT_SETS = {"fullwidth": 0xFF10, "arabic_indic": 0x0660, "devanagari": 0x0966}
NOISE_CHARS = ["\u00a0", "\u2007", "\u202f", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e",
               "\u200f", "\u202a", "\u202c", "\u202e", "\u2066", "\u2069", "\t", "\n", "\u3000", "\u2028"]
SEPARATORS = [" ", "-", ".", " ", "", "/", "\u00a0", "\u2010", "\u30fc"]
EXTENSIONS = [" ext. {}", " x{}", " ext {}", "#{}", ";ext={}", " extension {}", " доб. {}", ",{}"]


EXAMPLES = {}


def examples_for(region):
    if region not in EXAMPLES:
        found = (phonenumbers.example_number_for_type(region, t) for t in TYPES)
        EXAMPLES[region] = [phonenumbers.national_significant_number(ex) for ex in found if ex is not None]
    return EXAMPLES[region]


def base_numbers(rng, region):
    """(national significant number, calling code) samples for `region`, valid and not."""
    cc = phonenumbers.country_code_for_region(region)
    examples = examples_for(region)
    if not examples:
        examples = ["".join(rng.choice("0123456789") for _ in range(rng.randint(6, 10)))]
    nsn = rng.choice(examples)
    roll = rng.random()
    if roll < 0.45:   # same range, other subscriber digits: mostly valid
        k = rng.randint(1, min(4, len(nsn) - 1))
        nsn = nsn[:-k] + "".join(rng.choice("0123456789") for _ in range(k))
    elif roll < 0.60:  # other leading digits: possible-only or invalid ranges
        k = rng.randint(1, 3)
        nsn = "".join(rng.choice("0123456789") for _ in range(k)) + nsn[k:]
    elif roll < 0.70:  # too short
        nsn = nsn[: rng.randint(1, max(1, len(nsn) - 2))]
    elif roll < 0.78:  # too long
        nsn = nsn + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 8)))
    elif roll < 0.86:  # local number without area code (US/CA style 7 digits, others: tail)
        nsn = nsn[-7:] if len(nsn) > 7 else nsn[-5:]
    # else: the example number itself
    return nsn, cc


def group(rng, digits):
    sep = rng.choice(SEPARATORS)
    out, i = [], 0
    while i < len(digits):
        n = rng.randint(2, 4)
        out.append(digits[i:i + n])
        i += n
    if len(out) > 1 and rng.random() < 0.25:
        out[0] = "(" + out[0] + ")"
    return sep.join(out)


def render(rng, region, nsn, cc):
    roll = rng.random()
    if roll < 0.25:
        text = "+" + str(cc) + rng.choice(["", " ", "-", ".", "\u00a0"]) + group(rng, nsn)
    elif roll < 0.40:
        idd = rng.choice(["00", "011", "00 ", "011 ", "0011", "+00"])
        text = idd + str(cc) + " " + group(rng, nsn)
    elif roll < 0.80:
        try:
            number = phonenumbers.parse("+" + str(cc) + nsn)
            national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        except NumberParseException:
            national = nsn
        text = national if rng.random() < 0.6 else group(rng, re.sub(r"\D", "", national))
    else:
        prefix = rng.choice(["", "0", "1", "8", "0" + str(cc), str(cc)])
        text = prefix + nsn
    if rng.random() < 0.08:
        text += rng.choice(EXTENSIONS).format(rng.randint(1, 99999))
    if rng.random() < 0.06:
        base = DIGIT_SETS[rng.choice(list(DIGIT_SETS))]
        text = "".join(chr(base + int(c)) if c.isdigit() and c.isascii() else c for c in text)
    if rng.random() < 0.03:   # a letter typed by mistake
        i = rng.randint(0, len(text))
        text = text[:i] + rng.choice("oOlIabxX") + text[i:]
    return text


def noise(rng, text):
    if rng.random() < 0.25:
        text = "".join(rng.choice(NOISE_CHARS + [" "]) for _ in range(rng.randint(1, 3))) + text
    if rng.random() < 0.25:
        text = text + "".join(rng.choice(NOISE_CHARS + [" "]) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.05 and len(text) > 2:
        i = rng.randint(1, len(text) - 1)
        text = text[:i] + rng.choice(NOISE_CHARS) + text[i:]
    return text


def region_field(rng, region, default_region):
    roll = rng.random()
    cc = str(phonenumbers.country_code_for_region(region))
    if region == default_region and roll < 0.5:
        return rng.choice([None, "", "  "])
    if roll < 0.55:
        return region
    if roll < 0.70:
        return rng.choice([region.lower(), " " + region + " ", region[0] + region[1].lower(), "\u00a0" + region])
    if roll < 0.85:
        return rng.choice([cc, "+" + cc, "00" + cc, " " + cc + " "])
    if roll < 0.90:
        return rng.choice(["UK", "XX", "EU", "USA", "999", "800", "0", "+", "?", "gb-eng"])
    return rng.choice([None, ""])  # row's region missing: the default region applies


def generate(seed, count, default_region):
    rng = random.Random(seed)  # a str seed: stable across runs and Python versions
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    rows = []
    for _ in range(count):
        region = rng.choice(MAIN_REGIONS) if rng.random() < 0.7 else rng.choice(regions)
        roll = rng.random()
        if roll < 0.04:
            raw = rng.choice(JUNK + ["", "   ", "\u00a0", "\u200b"])
        elif roll < 0.05:
            raw = None
        else:
            nsn, cc = base_numbers(rng, region)
            if rng.random() < 0.05:   # number of another country, written nationally, row says `region`
                other = rng.choice(MAIN_REGIONS)
                nsn, cc = base_numbers(rng, other)
            raw = noise(rng, render(rng, region, nsn, cc))
        rows.append([raw, region_field(rng, region, default_region)])
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["judge", "generate"])
    parser.add_argument("--default-region", required=True)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    if args.mode == "judge":
        rows = json.load(sys.stdin)
        json.dump([normalize(raw, region, args.default_region) for raw, region in rows], sys.stdout)
    else:
        # Blocks of the corpus are generated and judged on all cores; block i is seeded "seed/i".
        blocks = [(f"{args.seed}/{i}", min(BLOCK, args.count - start), args.default_region)
                  for i, start in enumerate(range(0, args.count, BLOCK))]
        with multiprocessing.Pool(os.cpu_count()) as pool:
            results = pool.map(generate_and_judge, blocks)
        json.dump([row for block in results for row in block], sys.stdout)


BLOCK = 2000


def generate_and_judge(block):
    seed, count, default_region = block
    return [[raw, region, normalize(raw, region, default_region)] for raw, region in generate(seed, count, default_region)]


if __name__ == "__main__":
    main()
