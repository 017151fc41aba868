#!/usr/bin/env python3
"""Generate server/data/banks-de.tsv, Kontolink's catalog of German banks.

Source: the Debian package libaqbanking-data (AqBanking's copy of the Bundesbank bank
code list with FinTS addresses), /usr/share/aqbanking/bankinfo/de/banks.data.

    apt-get install libaqbanking-data
    python3 scripts/gen-catalog.py [banks.data] [out.tsv]

banks.data is a list of blocks of key="value" lines (values URL-encoded) separated by
blank lines, one block per Bundesbank record; the first record of a bank code (BLZ) is
its head office, the others are branches (usually without BIC).

Merging, so that a search shows one row per bank while every BLZ stays resolvable:
- a BLZ's records are folded into one (head office name/BIC/city, branch cities and
  names kept for searching);
- BLZs are merged into one bank by the bank code of their BIC (its first 4 letters) plus
  the first significant word of the name ("Commerzbank", "Deutsche", ...) and the FinTS
  URL (so comdirect, a Commerzbank BLZ range with its own FinTS server, stays a bank);
- except for the shared BIC bank codes of the cooperative banks (GENO) and of the
  savings banks (the Landesbanken's codes: BYLA, HELA, NOLA, ...), which stand for many
  independent banks: there BLZs merge when they have the same full BIC and head-office
  city ("Hamburger Volksbank" and "Hamburger Volksbank (Gf GAA)") or the same distinctive
  name ("Sparda-Bank West" in four cities, but not the 35 different "Raiffeisenbank"s).
The main BLZ of a bank is one carrying its most common name, preferably with a FinTS URL,
then with a head-office BIC (ending in XXX), the lowest such.

Output: '#' comment lines, then one tab-separated line per bank:
  blz name bic city fints_url other_blzs other_bics other_cities aliases branches
where the list columns are separated by '|' (empty string: none).
"""

import collections
import re
import subprocess
import sys
import unicodedata
import urllib.parse

SRC = "/usr/share/aqbanking/bankinfo/de/banks.data"
OUT = "server/data/banks-de.tsv"
SANDBOX_BLZ = "90094815"
KEYWORDS = re.compile(r"sparkasse|volksbank|raiffeisen|vr[ -]?bank|spk", re.I)
GENERIC = {"raiffeisenbank", "volksbank", "vr", "bank", "vr-bank", "spar-", "und", "kreditbank",
           "psd", "raiffeisenkasse", "sparkasse", "kreissparkasse", "stadtsparkasse", "-alt-",
           "spar-und", "darlehnskasse", "genossenschaftsbank", "eg", "raiffeisen-volksbank"}
NOISE = {"zvc", "fk", "ztb", "der", "die", "das", "gf", "zw", "zva", "bs"}


def parse(path):
    """Yield one dict per record; 'pintan' holds the FinTS PIN/TAN URL if any."""
    text = open(path, encoding="utf-8").read()
    for block in text.split("\n\n"):
        rec, services, current = {}, [], None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("element"):
                current = {}
                services.append(current)
                continue
            m = re.match(r'(\w+)="(.*)"$', line)
            if not m:
                continue
            key, value = m.group(1), urllib.parse.unquote(m.group(2)).strip()
            (current if current is not None else rec)[key] = value
        if "bankId" not in rec:
            continue
        rec["pintan"] = next(
            (url_of(s["address"]) for s in services
             if s.get("type") == "HBCI" and s.get("mode") == "PINTAN" and s.get("address")),
            "",
        )
        yield rec


def url_of(address):
    return address if "://" in address else "https://" + address


def fold(text):
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def base_name(name):
    """The name without parenthesised notes and business-line suffixes ("(Gf P2)", "GAA")."""
    words = re.split(r"[^a-z0-9-]+", fold(re.sub(r"\(.*?\)", " ", name)))
    return " ".join(w for w in words if w and w not in {"gf", "gaa", "p2", "rb"})


def brand(name):
    words = [w for w in re.split(r"[^a-z0-9]+", fold(name)) if w]
    return next((w for w in words if w not in NOISE and not w.isdigit()), fold(name))


def clean(value):
    return re.sub(r"[\t\r\n|]+", " ", value).strip()


def fints_of(recs):
    """The most common FinTS PIN/TAN URL of these records ('' if none)."""
    urls = collections.Counter(r["pintan"] for r in recs if r["pintan"])
    return urls.most_common(1)[0][0] if urls else ""


def split_by_fints(groups, by_blz):
    """Split off the BLZs of a bank that have a FinTS server of their own."""
    result = collections.OrderedDict()
    for key, blzs in groups.items():
        common = collections.Counter(by_blz[b][0]["bankName"] for b in blzs).most_common(1)[0][0]
        home = {fints_of(by_blz[b]) for b in blzs if by_blz[b][0]["bankName"] == common}
        for b in blzs:
            url = fints_of(by_blz[b])
            result.setdefault(key + ((url if url and url not in home else ""),), []).append(b)
    return result


def join(values):
    return "|".join(clean(v) for v in values)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else SRC
    out = sys.argv[2] if len(sys.argv) > 2 else OUT
    by_blz = collections.OrderedDict()
    for rec in parse(src):
        by_blz.setdefault(rec["bankId"], []).append(rec)
    assert SANDBOX_BLZ not in by_blz, "the sandbox BLZ is taken by a real bank"

    shared = collections.defaultdict(set)
    for recs in by_blz.values():
        head = recs[0]
        if head["bic"] and KEYWORDS.search(head["bankName"]):
            shared[head["bic"][:4]].add(head["bic"])
    shared = {code for code, bics in shared.items() if len(bics) >= 3}

    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for blz, recs in by_blz.items():
        head = recs[0]
        bic = head["bic"]
        if not bic:
            keys = [("blz", blz)]
        elif bic[:4] in shared:
            keys = [("bic", bic, head["city"])]
            base = base_name(head["bankName"])
            if set(base.split()) - GENERIC:
                keys.append(("name", bic[:4], base))
        else:
            keys = [("brand", bic[:4], brand(head["bankName"]))]
        for key in keys:
            parent[find(key)] = find(("blz", blz))
    groups = collections.OrderedDict()
    for blz in by_blz:
        groups.setdefault((find(("blz", blz)),), []).append(blz)
    groups = split_by_fints(groups, by_blz)

    lines = []
    for blzs in groups.values():
        names = collections.Counter(by_blz[b][0]["bankName"] for b in blzs)
        common = names.most_common(1)[0][0]
        blzs.sort(key=lambda b: (by_blz[b][0]["bankName"] != common, not fints_of(by_blz[b]),
                                 not by_blz[b][0]["bic"].endswith("XXX"), b))
        main_blz = blzs[0]
        head = by_blz[main_blz][0]
        recs = [r for b in blzs for r in by_blz[b]]
        fints = fints_of(by_blz[main_blz])
        bics = sorted({r["bic"] for r in recs if r["bic"]} - {head["bic"]})
        cities = sorted({r["city"] for r in recs if r["city"]} - {head["city"]})
        aliases = sorted({r["bankName"] for r in recs} - {head["bankName"]})
        row = [main_blz, clean(head["bankName"]), head["bic"], clean(head["city"]), fints,
               "|".join(blzs[1:]), "|".join(bics), join(cities), join(aliases), str(len(recs))]
        lines.append("\t".join(row))
    lines.sort()

    version = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "libaqbanking-data"],
        capture_output=True, text=True, check=False,
    ).stdout.strip() or "unknown"
    header = [
        "# Kontolink bank catalog (Germany), generated by scripts/gen-catalog.py",
        f"# source: Debian package libaqbanking-data {version}, {SRC}",
        "# (AqBanking's copy of the Deutsche Bundesbank bank code list, with FinTS URLs)",
        f"# {sum(len(r) for r in by_blz.values())} records, {len(by_blz)} BLZs, {len(lines)} banks",
        "# columns: blz name bic city fints_url other_blzs other_bics other_cities aliases branches",
    ]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(header + lines) + "\n")
    print(f"wrote {out}: {len(lines)} banks from {len(by_blz)} BLZs", file=sys.stderr)


if __name__ == "__main__":
    main()
