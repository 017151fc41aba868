#!/usr/bin/env python3
"""Generate server/data/banks-de.tsv, Kontolink's catalog of German banks.

Sources (Debian packages):
- libaqbanking-data: AqBanking's copy of the Bundesbank bank code list with FinTS
  addresses, /usr/share/aqbanking/bankinfo/de/banks.data. It alone decides which banks
  (BLZs) are in the catalog.
- libhbci4j-core-java: hbci4java's blz.properties (inside /usr/share/java/hbci4j-core.jar),
  the FinTS PIN/TAN URLs of the Deutsche Kreditwirtschaft's FinTS institute list, one line
  `BLZ=name|city|BIC|checksum method|RDH URL|PIN/TAN URL|HBCI version|PIN/TAN version|`.
  Only its PIN/TAN URLs are used; its BLZs that the Bundesbank list lacks are not added.

    apt-get install libaqbanking-data libhbci4j-core-java
    python3 scripts/gen-catalog.py [banks.data] [out.tsv] [hbci4j-core.jar]

FinTS URLs: a BLZ's PIN/TAN URL is the one both sources agree on, or the one only one of
them names; where they name different URLs, the one of the source whose FinTS data is
newer wins. How new each source's data is comes from evidence in the packages (see
data_dates()): AqBanking's upstream changelog dates its last "Updated German bank data."
and hbci4java's blz.properties is identified by its checksum in HBCI4J_DATES (dates from
hbci4java's history), else dated by the Debian changelog entry of the installed version.
The header of the output says which source was newer and why, how many URLs came from
each, and lists the BLZs where the sources disagreed. URLs are trimmed (whitespace
removed) and get https:// when they have no scheme.

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
Grouping and the choice of the main BLZ (hence the provider ids, `de-<main BLZ>`) use
AqBanking's FinTS URLs only, so that hbci4java's URLs change no bank's BLZs or id. A
bank's FinTS URL is then its main BLZ's merged URL, else the first known one of its other
BLZs (in the order above).

Output: '#' comment lines, then one tab-separated line per bank:
  blz name bic city fints_url other_blzs other_bics other_cities aliases branches
where the list columns are separated by '|' (empty string: none).
"""

import collections
import datetime
import gzip
import hashlib
import re
import subprocess
import sys
import unicodedata
import urllib.parse
import zipfile

SRC = "/usr/share/aqbanking/bankinfo/de/banks.data"
OUT = "server/data/banks-de.tsv"
HBCI4J_JAR = "/usr/share/java/hbci4j-core.jar"
AQ_CHANGELOG = "/usr/share/doc/libaqbanking-data/changelog.gz"
HBCI4J_DEBIAN_CHANGELOG = "/usr/share/doc/libhbci4j-core-java/changelog.Debian.gz"
# hbci4java's blz.properties by SHA-256: the date of the FinTS institute list it was
# updated from, as hbci4java's history names it. Add a line when the package changes.
HBCI4J_DATES = {
    "092edb4d78c3f347903036313e53f691287f3151ade644b787746e2c8c551329": (
        "2022-10-13", "hbci4java 3.1.64's blz.properties, whose last update (upstream commit "
        "595ecc1) is the FinTS list of 2022-10-13"),
}
SANDBOX_BLZ = "90094815"
KEYWORDS = re.compile(r"sparkasse|volksbank|raiffeisen|vr[ -]?bank|spk", re.I)
GENERIC = {"raiffeisenbank", "volksbank", "vr", "bank", "vr-bank", "spar-", "und", "kreditbank",
           "psd", "raiffeisenkasse", "sparkasse", "kreissparkasse", "stadtsparkasse", "-alt-",
           "spar-und", "darlehnskasse", "genossenschaftsbank", "eg", "raiffeisen-volksbank"}
NOISE = {"zvc", "fk", "ztb", "der", "die", "das", "gf", "zw", "zva", "bs"}
# The names people search for where the Bundesbank's name does not contain them
# (main BLZ -> brand names); searched like every other alias.
BRANDS = {
    "12030000": ["DKB"],
    "70020270": ["HVB", "HypoVereinsbank"],
}


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
    """A FinTS URL, normalised: no whitespace anywhere, https:// when it has no scheme."""
    address = re.sub(r"\s+", "", address)
    if not address:
        return ""
    url = address if "://" in address else "https://" + address
    assert re.fullmatch(r"https?://[^/|\t]+\.[^/|\t]+(/[^|\t]*)?", url), f"bad FinTS URL {url!r}"
    return url


def parse_hbci4j(jar):
    """hbci4java's PIN/TAN URLs by BLZ, and the SHA-256 of its blz.properties."""
    with zipfile.ZipFile(jar) as z:
        raw = z.read("blz.properties")
    urls = {}
    for number, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        blz, _, value = line.partition("=")
        fields = value.split("|")
        assert re.fullmatch(r"\d{8}", blz) and len(fields) >= 6, \
            f"blz.properties:{number}: {line!r}"
        assert blz not in urls, f"blz.properties: BLZ {blz} twice"
        urls[blz] = url_of(fields[5])
    return {b: u for b, u in urls.items() if u}, hashlib.sha256(raw).hexdigest()


def package_version(package):
    return subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", package],
        capture_output=True, text=True, check=False,
    ).stdout.strip() or "unknown"


def data_dates(hbci_sha256):
    """(date, reason) of the FinTS data of AqBanking and of hbci4java."""
    aq = None
    with gzip.open(AQ_CHANGELOG, "rt", encoding="utf-8") as f:
        date = None
        for line in f:
            m = re.match(r"(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}", line)
            if m:
                date = m.group(1)
            elif line.strip() == "Updated German bank data." and date:
                aq = (date, f"AqBanking's changelog: last \"Updated German bank data.\" on {date}")
                break
    assert aq, f"no bank data update found in {AQ_CHANGELOG}"
    hbci = HBCI4J_DATES.get(hbci_sha256)
    if hbci is None:
        # Unknown file: the date the installed version was packaged (an upper bound).
        version = package_version("libhbci4j-core-java")
        with gzip.open(HBCI4J_DEBIAN_CHANGELOG, "rt", encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"\(" + re.escape(version) + r"\).*?\n -- [^\n]*?>  ([^\n]+)", text, re.S)
        assert m, f"libhbci4j-core-java {version} not in {HBCI4J_DEBIAN_CHANGELOG}"
        when = datetime.datetime.strptime(m.group(1).strip(), "%a, %d %b %Y %H:%M:%S %z")
        date = when.date().isoformat()
        print(f"warning: unknown blz.properties {hbci_sha256}, dated by its package",
              file=sys.stderr)
        hbci = (date, f"unknown blz.properties, packaged on {date} (Debian changelog)")
    return aq, hbci


def merge_urls(aq_urls, hbci_urls, hbci_newer):
    """Each BLZ of aq_urls' keys (every catalog BLZ) -> (url, origin); see the docstring."""
    merged = {}
    for blz, aq in aq_urls.items():
        hbci = hbci_urls.get(blz, "")
        if aq and hbci and aq != hbci:
            merged[blz] = (hbci, "hbci4java-newer") if hbci_newer else (aq, "aqbanking-newer")
        elif aq:
            merged[blz] = (aq, "both" if hbci else "aqbanking")
        elif hbci:
            merged[blz] = (hbci, "hbci4java")
        else:
            merged[blz] = ("", "")
    return merged


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
    jar = sys.argv[3] if len(sys.argv) > 3 else HBCI4J_JAR
    by_blz = collections.OrderedDict()
    for rec in parse(src):
        by_blz.setdefault(rec["bankId"], []).append(rec)
    assert SANDBOX_BLZ not in by_blz, "the sandbox BLZ is taken by a real bank"

    # The FinTS URLs of both sources, merged per BLZ.
    hbci_urls, hbci_sha256 = parse_hbci4j(jar)
    assert SANDBOX_BLZ not in hbci_urls, "the sandbox BLZ is taken by a real bank"
    aq_date, hbci_date = data_dates(hbci_sha256)
    assert aq_date[0] != hbci_date[0], f"cannot tell the newer source: {aq_date} {hbci_date}"
    hbci_newer = hbci_date[0] > aq_date[0]
    aq_urls = {blz: fints_of(recs) for blz, recs in by_blz.items()}
    merged = merge_urls(aq_urls, hbci_urls, hbci_newer)
    origins = collections.Counter(origin for _, origin in merged.values() if origin)
    disagreements = sorted(b for b, (_, o) in merged.items() if o.endswith("-newer"))
    # Consistency: every URL of a source is kept unless the other, newer source differs.
    for blz, (url, origin) in merged.items():
        aq, hbci = aq_urls[blz], hbci_urls.get(blz, "")
        assert url == (hbci if hbci and (hbci_newer or not aq) else aq), blz
        assert bool(url) == bool(aq or hbci), blz
    known = set(hbci_urls) & set(by_blz) | {b for b in aq_urls if aq_urls[b]}
    assert sum(origins.values()) == len(known)
    hbci_only_blzs = sorted(set(hbci_urls) - set(by_blz))

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
    bank_origins = collections.Counter()
    for blzs in groups.values():
        names = collections.Counter(by_blz[b][0]["bankName"] for b in blzs)
        common = names.most_common(1)[0][0]
        blzs.sort(key=lambda b: (by_blz[b][0]["bankName"] != common, not fints_of(by_blz[b]),
                                 not by_blz[b][0]["bic"].endswith("XXX"), b))
        main_blz = blzs[0]
        head = by_blz[main_blz][0]
        recs = [r for b in blzs for r in by_blz[b]]
        fints, origin = next((merged[b] for b in blzs if merged[b][0]), ("", ""))
        if fints:
            bank_origins[origin] += 1
        bics = sorted({r["bic"] for r in recs if r["bic"]} - {head["bic"]})
        cities = sorted({r["city"] for r in recs if r["city"]} - {head["city"]})
        aliases = sorted(({r["bankName"] for r in recs} | set(BRANDS.get(main_blz, ())))
                         - {head["bankName"]})
        row = [main_blz, clean(head["bankName"]), head["bic"], clean(head["city"]), fints,
               "|".join(blzs[1:]), "|".join(bics), join(cities), join(aliases), str(len(recs))]
        lines.append("\t".join(row))
    lines.sort()

    newer, older = ("hbci4java", "aqbanking") if hbci_newer else ("aqbanking", "hbci4java")
    fints_banks = sum(bank_origins.values())
    assert sorted(b for line in lines for b in [line.split("\t")[0]] +
                  [x for x in line.split("\t")[5].split("|") if x]) == sorted(by_blz)
    header = [
        "# Kontolink bank catalog (Germany), generated by scripts/gen-catalog.py",
        f"# source: Debian package libaqbanking-data {package_version('libaqbanking-data')}, {src}",
        "# (AqBanking's copy of the Deutsche Bundesbank bank code list, with FinTS URLs)",
        f"# FinTS URLs also from: Debian package libhbci4j-core-java "
        f"{package_version('libhbci4j-core-java')}, blz.properties in {jar}",
        f"# newer FinTS data: {newer} ({hbci_date[0] if hbci_newer else aq_date[0]}) over {older} "
        f"({aq_date[0] if hbci_newer else hbci_date[0]}); it wins where both name a different URL",
        f"# why: {aq_date[1]}; {hbci_date[1]}",
        f"# BLZ URLs: {origins['both']} in both alike, {origins['aqbanking']} aqbanking only, "
        f"{origins['hbci4java']} hbci4java only, {len(disagreements)} differing "
        f"(taken from {newer}: {' '.join(disagreements)})",
        f"# bank URLs: {fints_banks} banks with FinTS, from aqbanking {bank_origins['aqbanking']}, "
        f"hbci4java {bank_origins['hbci4java']}, both alike {bank_origins['both']}, "
        f"{newer} over {older} {bank_origins[newer + '-newer']}",
        f"# hbci4java URLs of {len(hbci_only_blzs)} BLZs not in the Bundesbank list: not used",
        f"# {sum(len(r) for r in by_blz.values())} records, {len(by_blz)} BLZs, {len(lines)} banks",
        "# columns: blz name bic city fints_url other_blzs other_bics other_cities aliases branches",
    ]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(header + lines) + "\n")
    print(f"wrote {out}: {len(lines)} banks from {len(by_blz)} BLZs, {fints_banks} with FinTS",
          file=sys.stderr)


if __name__ == "__main__":
    main()
