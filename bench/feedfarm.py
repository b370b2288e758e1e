#!/usr/bin/env python3
# ruff: noqa  (a copy of /work/shared/tools/feedfarm.py; only these two comment lines added)
# mypy: ignore-errors
"""feedfarm: a deterministic local "feed farm" for benchmarking feed pipelines.

Generates N feeds with M entries each -- a mix of RSS 2.0 (~60%), Atom 1.0
(~35%) and RSS 1.0/RDF (~5%) -- and serves them over HTTP on 127.0.0.1 with
ETag / Last-Modified validators and 304 answers to conditional requests.

Everything is a pure function of (seed, feed index, entry index), so two farms
started with the same --seed/--feeds/--entries serve byte-identical documents,
and "advancing" the farm (adding new entries to a fraction of the feeds) is
deterministic too (advance number k always picks the same feeds).

Commands
    python feedfarm.py serve --feeds 1000 --entries 50 --port 8765 --seed 1
    python feedfarm.py opml  --feeds 1000 --port 8765 --seed 1 -o farm.opml
    python feedfarm.py dump  --feeds 1000 --entries 50 --seed 1 --dir docs/
    python feedfarm.py advance --port 8765 --fraction 0.1 --entries 5
    python feedfarm.py stats --port 8765 [--reset]
    python feedfarm.py reset --port 8765        # back to the initial state

Control endpoints (not counted in the request statistics)
    GET  /_farm/info                      farm parameters
    GET  /_farm/stats                     request counters + server CPU time
    POST /_farm/reset_stats               zero the counters
    POST /_farm/advance?fraction=F&entries=K   add K entries to round(N*F) feeds
    POST /_farm/reset                     restore the initial documents
Feeds are served at /feeds/NNNN.xml (NNNN = zero-padded index).

Server backends (--backend): "threading" (http.server.ThreadingHTTPServer,
thread per connection, HTTP/1.1 keep-alive) and "asyncio" (a minimal
single-threaded HTTP/1.1 server on asyncio streams).  Both share the same
request logic.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import email.utils
import gzip
import hashlib
import json
import os
import random
import resource
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape, quoteattr

# --------------------------------------------------------------------------
# vocabulary (some non-ASCII on purpose)
# --------------------------------------------------------------------------

WORDS = """
the of and to in is that for it as was with be by on not he this are or his
from at which but have an they you were their one all we can her has there been
if more when will would who so no data system server feed network python release
update performance cache database query index parser stream thread process memory
kernel compiler language library module package version build test debug error
warning request response client protocol socket buffer latency throughput storage
disk file archive backup restore security patch vulnerability encryption key
token session cookie header payload schema migration replica cluster node shard
garden kitchen recipe coffee bread weather river mountain forest village city
market price economy policy election council school student teacher research
science climate energy solar battery vehicle train bicycle street bridge harbor
music album concert guitar piano film review novel author poet museum gallery
photo camera lens travel journey map island coast desert winter summer autumn
spring morning evening night week month year history future modern ancient
simple complex quick slow bright dark small large early late open closed free
new old good better best strong weak careful curious quiet loud happy serious
café naïve résumé façade über straße jalapeño piñata smörgåsbord crème brûlée
déjà vu coöperate fiancée señor zoë müller françois ångström
""".split()

FIRST_NAMES = ["Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi",
               "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert",
               "Sybil", "Trent", "Victor", "Walter", "Zoë", "José", "Ingrid",
               "Łukasz", "Søren", "Amélie", "Kenji", "Priya", "Chen", "Fatima",
               "Olu"]
LAST_NAMES = ["Smith", "Jones", "Müller", "García", "Rossi", "Dubois", "Novák",
              "Kowalski", "Tanaka", "Kim", "Nguyen", "O'Brien", "Andersen",
              "Silva", "Ivanova", "Okafor", "Patel", "Cohen", "Björk", "Lefèvre"]
CATEGORIES = ["tech", "python", "linux", "databases", "web", "security",
              "science", "climate", "food", "travel", "music", "film", "books",
              "politics", "economy", "sports", "health", "design", "photography",
              "open source", "programming", "devops", "ai", "history", "art",
              "education", "startups", "hardware", "mobile", "gaming"]
TIMEZONES = [0, 0, 0, -5 * 3600, -8 * 3600, 3600, 2 * 3600, 9 * 3600,
             5 * 3600 + 1800, 10 * 3600]
CODE_SNIPPETS = [
    "def f(x):\n    return x &lt; 10 and x &gt; 2",
    "for (int i = 0; i &lt; n; i++) { sum += a[i]; }",
    "SELECT id, title FROM entries WHERE feed_id = ? ORDER BY updated DESC;",
    "curl -H 'If-None-Match: \"abc\"' https://example.com/feed.xml",
    "$ pip install --upgrade feedparser &amp;&amp; python -m feedparser",
]

BASE_TS = 1_700_000_000          # 2023-11-14T22:13:20Z, start of every feed
FORMAT_SHARES = (("rss2", 0.60), ("atom", 0.35), ("rdf", 0.05))
CONTENT_TYPES = {
    "rss2": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
}

# --------------------------------------------------------------------------
# generation
# --------------------------------------------------------------------------

_POOL_CACHE: dict[int, list[str]] = {}


def sentence_pool(seed: int, size: int = 6000) -> list[str]:
    """A seeded pool of sentences; entries are assembled from it."""
    if seed in _POOL_CACHE:
        return _POOL_CACHE[seed]
    rng = random.Random(f"{seed}:pool")
    pool = []
    for _ in range(size):
        words = rng.choices(WORDS, k=rng.randint(7, 22))
        s = " ".join(words)
        pool.append(s[0].upper() + s[1:] + rng.choice(".....!?;"))
    _POOL_CACHE[seed] = pool
    return pool


def feed_formats(n_feeds: int, seed: int) -> list[str]:
    """Exact shares (60/35/5 %) shuffled deterministically."""
    counts = [round(n_feeds * share) for _, share in FORMAT_SHARES]
    counts[0] = n_feeds - sum(counts[1:])
    fmts = []
    for (name, _), c in zip(FORMAT_SHARES, counts):
        fmts += [name] * c
    random.Random(f"{seed}:formats:{n_feeds}").shuffle(fmts)
    return fmts


def feed_meta(seed: int, i: int, fmt: str) -> dict:
    rng = random.Random(f"{seed}:feed:{i}")
    words = rng.choices(WORDS, k=rng.randint(1, 3))
    name = " ".join(w.capitalize() for w in words)
    host = f"site{i:04d}.example.com"
    authors = []
    for _ in range(rng.randint(1, 4)):
        fn, ln = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email_local = f"{fn}.{ln}".lower().encode("ascii", "ignore").decode().replace("'", "")
        authors.append((f"{fn} {ln}", f"{email_local}@{host}"))
    return {
        "index": i,
        "format": fmt,
        "title": f"Site {i:04d}: {name} Blog",
        "host": host,
        "site": f"https://{host}/",
        "description": rng.choice(sentence_pool(seed)),
        "language": rng.choice(["en-us", "en", "en-gb", "fr", "de", "es"]),
        "authors": authors,
        "interval": rng.randint(3, 96) * 1800,     # 1.5 h .. 48 h between posts
        "tz": rng.choice(TIMEZONES),
        "rights": rng.random() < 0.5,              # feed-level copyright
        "dc_creator": rng.random() < 0.45,         # RSS 2.0: dc:creator vs <author>
        "content_encoded": rng.random() < 0.7,     # RSS 2.0: content:encoded
        "xhtml": rng.random() < 0.2,               # Atom: xhtml content
        "permalink_guid": rng.random() < 0.6,      # RSS 2.0 guid isPermaLink
        "categories": rng.sample(CATEGORIES, rng.randint(3, 8)),
        "generator": rng.choice(["WordPress 6.4.2", "Hugo 0.121.1", "Ghost 5.75",
                                 "Jekyll v4.3.2", "Blogger", "Pelican"]),
    }


def _html_content(rng: random.Random, pool: list[str], host: str, j: int) -> str:
    target = rng.randint(2000, 4000)
    parts: list[str] = []
    size = 0
    k = 0
    while size < target:
        k += 1
        r = rng.random()
        if r < 0.08 and k > 1:
            items = "".join(f"<li>{rng.choice(pool)}</li>" for _ in range(rng.randint(2, 5)))
            block = f"<ul>{items}</ul>"
        elif r < 0.13 and k > 1:
            block = f"<blockquote><p>{rng.choice(pool)} {rng.choice(pool)}</p></blockquote>"
        elif r < 0.17 and k > 1:
            block = f"<pre><code>{rng.choice(CODE_SNIPPETS)}</code></pre>"
        elif r < 0.27:
            block = (f'<p><img src="https://cdn.{host}/img/{j}-{k}.jpg" '
                     f'alt="{rng.choice(WORDS)} {rng.choice(WORDS)}" width="640" '
                     f'height="360" /></p>')
        else:
            sents = rng.choices(pool, k=rng.randint(2, 5))
            q = rng.random()
            if q < 0.45:
                w = rng.choice(WORDS)
                if rng.random() < 0.25:   # relative link
                    href = f"/{rng.choice(CATEGORIES).replace(' ', '-')}/{w}-{rng.randint(1, 999)}"
                else:
                    href = f"https://www.{rng.choice(CATEGORIES).replace(' ', '')}.example.org/{w}/{rng.randint(1, 99999)}"
                sents[0] = sents[0] + f' See <a href="{href}">{w} {rng.choice(WORDS)}</a>.'
            elif q < 0.7:
                sents[-1] = f"<em>{sents[-1]}</em>"
            elif q < 0.85:
                sents[0] = f"<strong>{sents[0]}</strong>"
            block = "<p>" + " ".join(sents) + "</p>"
        parts.append(block)
        size += len(block)
    return "\n".join(parts)


def entry_data(seed: int, meta: dict, j: int) -> dict:
    rng = random.Random(f"{seed}:entry:{meta['index']}:{j}")
    pool = sentence_pool(seed)
    twords = rng.choices(WORDS, k=rng.randint(3, 10))
    title = " ".join(w.capitalize() if n == 0 or rng.random() < 0.5 else w
                     for n, w in enumerate(twords))
    r = rng.random()
    if r < 0.08:
        title = title + " & " + rng.choice(WORDS)
    elif r < 0.12:
        title = f'“{title}” — "{rng.choice(WORDS)}"'
    slug = "-".join(twords[:6]).lower()
    slug = urllib.parse.quote(slug.encode("utf-8"), safe="-")
    ts = BASE_TS + j * meta["interval"] + rng.randint(0, meta["interval"] // 2)
    updated = ts + (rng.randint(60, 86400) if rng.random() < 0.3 else 0)
    d = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    link = f"{meta['site']}{d:%Y/%m}/{slug}-{j}/"
    uid = uuid.UUID(int=rng.getrandbits(128), version=4)
    author = rng.choice(meta["authors"])
    cats = rng.sample(meta["categories"], rng.randint(1, min(4, len(meta["categories"]))))
    content = _html_content(rng, pool, meta["host"], j)
    summary = " ".join(rng.choices(pool, k=2))
    return {
        "j": j, "title": title, "link": link, "uuid": f"urn:uuid:{uid}",
        "tag": f"tag:{meta['host']},2023:post-{j}",
        "ts": ts, "updated_ts": updated, "author": author, "cats": cats,
        "content": content, "summary": summary,
        "rights": rng.random() < 0.15,
        "enclosure": rng.random() < 0.05,
        "comments": rng.random() < 0.3,
    }


def _rfc822(ts: int, tz: int) -> str:
    d = dt.datetime.fromtimestamp(ts, dt.timezone(dt.timedelta(seconds=tz)))
    if tz == 0:
        return email.utils.format_datetime(d.astimezone(dt.timezone.utc), usegmt=True)
    return email.utils.format_datetime(d)


def _rfc3339(ts: int, tz: int) -> str:
    d = dt.datetime.fromtimestamp(ts, dt.timezone(dt.timedelta(seconds=tz)))
    s = d.isoformat()
    return s.replace("+00:00", "Z")


def _cdata(s: str) -> str:
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_rss2(meta: dict, entries: list[dict]) -> str:
    tz = meta["tz"]
    newest = max(e["updated_ts"] for e in entries)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n',
           f"<title>{escape(meta['title'])}</title>\n",
           f"<link>{meta['site']}</link>\n",
           f"<description>{escape(meta['description'])}</description>\n",
           f"<language>{meta['language']}</language>\n",
           f"<lastBuildDate>{_rfc822(newest, tz)}</lastBuildDate>\n",
           f"<generator>{meta['generator']}</generator>\n",
           f'<atom:link href="{meta["site"]}feed.xml" rel="self" type="application/rss+xml" />\n']
    if meta["rights"]:
        if meta["index"] % 2:
            out.append(f"<copyright>© 2023 {escape(meta['authors'][0][0])}</copyright>\n")
        else:
            out.append(f"<dc:rights>CC BY-SA 4.0 {escape(meta['authors'][0][0])}</dc:rights>\n")
    for e in entries:
        out.append("<item>\n")
        out.append(f"<title>{escape(e['title'])}</title>\n")
        out.append(f"<link>{e['link']}</link>\n")
        if meta["permalink_guid"]:
            out.append(f'<guid isPermaLink="true">{e["link"]}</guid>\n')
        else:
            out.append(f'<guid isPermaLink="false">{e["uuid"]}</guid>\n')
        out.append(f"<pubDate>{_rfc822(e['ts'], tz)}</pubDate>\n")
        name, mail = e["author"]
        if meta["dc_creator"]:
            out.append(f"<dc:creator>{escape(name)}</dc:creator>\n")
        else:
            out.append(f"<author>{escape(mail)} ({escape(name)})</author>\n")
        for c in e["cats"]:
            out.append(f"<category>{escape(c)}</category>\n")
        if e["comments"]:
            out.append(f"<comments>{e['link']}#comments</comments>\n")
        if e["enclosure"]:
            out.append(f'<enclosure url="https://cdn.{meta["host"]}/audio/{e["j"]}.mp3" '
                       f'length="{1000000 + e["j"]}" type="audio/mpeg" />\n')
        if e["rights"]:
            out.append(f"<dc:rights>© {escape(name)}</dc:rights>\n")
        if meta["content_encoded"]:
            out.append(f"<description>{escape(e['summary'])}</description>\n")
            out.append(f"<content:encoded>{_cdata(e['content'])}</content:encoded>\n")
        else:
            out.append(f"<description>{escape(e['content'])}</description>\n")
        out.append("</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def render_atom(meta: dict, entries: list[dict]) -> str:
    tz = meta["tz"]
    newest = max(e["updated_ts"] for e in entries)
    out = ['<?xml version="1.0" encoding="utf-8"?>\n'
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{meta["language"]}">\n',
           f"<title>{escape(meta['title'])}</title>\n",
           f'<subtitle type="text">{escape(meta["description"])}</subtitle>\n',
           f'<link rel="alternate" type="text/html" href="{meta["site"]}" />\n',
           f'<link rel="self" type="application/atom+xml" href="{meta["site"]}atom.xml" />\n',
           f"<id>tag:{meta['host']},2023:feed</id>\n",
           f"<updated>{_rfc3339(newest, tz)}</updated>\n",
           f'<generator uri="https://example.org/gen" version="1.0">{meta["generator"]}</generator>\n',
           f"<author><name>{escape(meta['authors'][0][0])}</name></author>\n"]
    if meta["rights"]:
        out.append(f"<rights>© 2023 {escape(meta['authors'][0][0])}</rights>\n")
    for e in entries:
        name, mail = e["author"]
        out.append("<entry>\n")
        out.append(f'<title type="text">{escape(e["title"])}</title>\n')
        out.append(f'<link rel="alternate" type="text/html" href="{e["link"]}" />\n')
        if e["comments"]:
            out.append(f'<link rel="replies" type="text/html" href="{e["link"]}#comments" />\n')
        if e["enclosure"]:
            out.append(f'<link rel="enclosure" type="audio/mpeg" length="{1000000 + e["j"]}" '
                       f'href="https://cdn.{meta["host"]}/audio/{e["j"]}.mp3" />\n')
        out.append(f"<id>{e['tag'] if meta['permalink_guid'] else e['uuid']}</id>\n")
        out.append(f"<published>{_rfc3339(e['ts'], tz)}</published>\n")
        out.append(f"<updated>{_rfc3339(e['updated_ts'], tz)}</updated>\n")
        out.append(f"<author><name>{escape(name)}</name><email>{escape(mail)}</email>"
                   f"<uri>{meta['site']}about/</uri></author>\n")
        for c in e["cats"]:
            out.append(f'<category term="{escape(c)}" label={quoteattr(c.title())} '
                       f'scheme="{meta["site"]}tags/" />\n')
        if e["rights"]:
            out.append(f"<rights>© {escape(name)}</rights>\n")
        out.append(f'<summary type="text">{escape(e["summary"])}</summary>\n')
        if meta["xhtml"]:
            out.append('<content type="xhtml" xml:base="' + meta["site"] + '">'
                       '<div xmlns="http://www.w3.org/1999/xhtml">'
                       + e["content"] + "</div></content>\n")
        else:
            out.append(f'<content type="html" xml:base="{meta["site"]}">{escape(e["content"])}</content>\n')
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def render_rdf(meta: dict, entries: list[dict]) -> str:
    tz = meta["tz"]
    newest = max(e["updated_ts"] for e in entries)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n',
           f'<channel rdf:about="{meta["site"]}index.rdf">\n',
           f"<title>{escape(meta['title'])}</title>\n",
           f"<link>{meta['site']}</link>\n",
           f"<description>{escape(meta['description'])}</description>\n",
           f"<dc:language>{meta['language']}</dc:language>\n",
           f"<dc:date>{_rfc3339(newest, tz)}</dc:date>\n"]
    if meta["rights"]:
        out.append(f"<dc:rights>© 2023 {escape(meta['authors'][0][0])}</dc:rights>\n")
    out.append("<items><rdf:Seq>\n")
    for e in entries:
        out.append(f'<rdf:li rdf:resource="{e["link"]}" />\n')
    out.append("</rdf:Seq></items>\n</channel>\n")
    for e in entries:
        name, _ = e["author"]
        out.append(f'<item rdf:about="{e["link"]}">\n')
        out.append(f"<title>{escape(e['title'])}</title>\n")
        out.append(f"<link>{e['link']}</link>\n")
        out.append(f"<description>{escape(e['summary'])}</description>\n")
        out.append(f"<content:encoded>{_cdata(e['content'])}</content:encoded>\n")
        out.append(f"<dc:creator>{escape(name)}</dc:creator>\n")
        out.append(f"<dc:date>{_rfc3339(e['ts'], tz)}</dc:date>\n")
        for c in e["cats"]:
            out.append(f"<dc:subject>{escape(c)}</dc:subject>\n")
        if e["rights"]:
            out.append(f"<dc:rights>© {escape(name)}</dc:rights>\n")
        out.append("</item>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out)


RENDERERS = {"rss2": render_rss2, "atom": render_atom, "rdf": render_rdf}


def render_feed(seed: int, meta: dict, head: int, n_entries: int) -> tuple[bytes, int]:
    """Document showing entries [head-n_entries, head), newest first.

    Returns (body, last_modified_ts)."""
    lo = max(0, head - n_entries)
    entries = [entry_data(seed, meta, j) for j in range(head - 1, lo - 1, -1)]
    body = RENDERERS[meta["format"]](meta, entries).encode("utf-8")
    return body, max(e["updated_ts"] for e in entries)


def feed_path(i: int) -> str:
    return f"/feeds/{i:04d}.xml"


def build_documents(n_feeds: int = 1000, n_entries: int = 50, seed: int = 1):
    """[(index, format, body_bytes)] for the farm's initial state (in memory)."""
    fmts = feed_formats(n_feeds, seed)
    docs = []
    for i in range(n_feeds):
        meta = feed_meta(seed, i, fmts[i])
        body, _ = render_feed(seed, meta, n_entries, n_entries)
        docs.append((i, fmts[i], body))
    return docs


# --------------------------------------------------------------------------
# farm state + request logic (shared by the server backends)
# --------------------------------------------------------------------------

def http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


class Doc:
    __slots__ = ("body", "gz", "etag", "last_modified", "lm_ts", "ctype", "head")

    def __init__(self, body, lm_ts, ctype, head, use_gzip):
        self.body = body
        self.gz = gzip.compress(body, compresslevel=6, mtime=0) if use_gzip else None
        self.etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        self.lm_ts = lm_ts
        self.last_modified = http_date(lm_ts)
        self.ctype = ctype
        self.head = head


class Farm:
    def __init__(self, n_feeds=1000, n_entries=50, seed=1, use_gzip=False, quiet=False):
        self.n_feeds, self.n_entries, self.seed, self.use_gzip = n_feeds, n_entries, seed, use_gzip
        t0 = time.perf_counter()
        self.formats = feed_formats(n_feeds, seed)
        self.metas = [feed_meta(seed, i, self.formats[i]) for i in range(n_feeds)]
        self.docs = [self._make_doc(i, n_entries) for i in range(n_feeds)]
        self.initial_docs = list(self.docs)
        self.generation = 0
        self.build_seconds = time.perf_counter() - t0
        self.lock = threading.Lock()
        self.paths = {feed_path(i): i for i in range(n_feeds)}
        self.reset_stats()
        if not quiet:
            total = sum(len(d.body) for d in self.docs)
            print(f"feedfarm: built {n_feeds} feeds x {n_entries} entries "
                  f"({total / 1e6:.1f} MB) in {self.build_seconds:.1f}s", file=sys.stderr, flush=True)

    def _make_doc(self, i, head):
        body, lm_ts = render_feed(self.seed, self.metas[i], head, self.n_entries)
        return Doc(body, lm_ts, CONTENT_TYPES[self.formats[i]], head, self.use_gzip)

    # ---- statistics -----------------------------------------------------
    def reset_stats(self):
        with getattr(self, "lock", threading.Lock()):
            self.stats = {"requests": 0, "status": {}, "conditional": 0,
                          "body_bytes": 0, "connections": 0, "gzip_responses": 0,
                          "feeds_seen": set()}
            ru = resource.getrusage(resource.RUSAGE_SELF)
            self.stats_t0 = (time.time(), ru.ru_utime, ru.ru_stime)

    def stats_json(self):
        ru = resource.getrusage(resource.RUSAGE_SELF)
        with self.lock:
            s = dict(self.stats)
            s["status"] = {str(k): v for k, v in s["status"].items()}
            s["unique_feeds"] = len(s.pop("feeds_seen"))
        s["since_reset_s"] = round(time.time() - self.stats_t0[0], 3)
        s["server_cpu_user_s"] = round(ru.ru_utime - self.stats_t0[1], 3)
        s["server_cpu_sys_s"] = round(ru.ru_stime - self.stats_t0[2], 3)
        s["server_maxrss_kb"] = ru.ru_maxrss
        s["generation"] = self.generation
        return s

    def count(self, status, nbytes, conditional, idx, gz):
        with self.lock:
            st = self.stats
            st["requests"] += 1
            st["status"][status] = st["status"].get(status, 0) + 1
            st["body_bytes"] += nbytes
            if conditional:
                st["conditional"] += 1
            if gz:
                st["gzip_responses"] += 1
            if idx is not None:
                st["feeds_seen"].add(idx)

    def count_connection(self):
        with self.lock:
            self.stats["connections"] += 1

    # ---- mutations --------------------------------------------------------
    def advance(self, fraction=0.1, entries=5):
        with self.lock:
            self.generation += 1
            gen = self.generation
        k = max(0, min(self.n_feeds, round(self.n_feeds * fraction)))
        chosen = sorted(random.Random(f"{self.seed}:advance:{gen}").sample(range(self.n_feeds), k))
        for i in chosen:
            new = self._make_doc(i, self.docs[i].head + entries)
            self.docs[i] = new          # atomic swap of the reference
        return {"generation": gen, "advanced": len(chosen), "entries_added": entries,
                "feeds": chosen}

    def reset(self):
        self.docs = list(self.initial_docs)
        with self.lock:
            self.generation = 0
        return {"generation": 0}

    def info(self):
        return {"feeds": self.n_feeds, "entries": self.n_entries, "seed": self.seed,
                "gzip": self.use_gzip, "generation": self.generation,
                "formats": {f: self.formats.count(f) for f in CONTENT_TYPES},
                "total_bytes": sum(len(d.body) for d in self.docs),
                "build_seconds": round(self.build_seconds, 2)}

    # ---- request logic ----------------------------------------------------
    def respond(self, method: str, target: str, get_header):
        """Return (status, [(name, value)], body_bytes)."""
        path, _, query = target.partition("?")
        if path.startswith("/_farm/"):
            return self._control(path, query)
        idx = self.paths.get(path)
        if idx is None or method not in ("GET", "HEAD"):
            self.count(404, 0, False, None, False)
            return 404, [("Content-Type", "text/plain")], b"not found\n"
        doc = self.docs[idx]
        inm = get_header("if-none-match")
        ims = get_header("if-modified-since")
        conditional = inm is not None or ims is not None
        not_modified = False
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            not_modified = "*" in tags or doc.etag in tags or ("W/" + doc.etag) in tags
        elif ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                not_modified = doc.lm_ts <= since
            except (TypeError, ValueError, IndexError):
                not_modified = False
        headers = [("ETag", doc.etag), ("Last-Modified", doc.last_modified)]
        if not_modified:
            self.count(304, 0, conditional, idx, False)
            return 304, headers, b""
        body = doc.body
        gz = False
        if doc.gz is not None:
            ae = get_header("accept-encoding") or ""
            headers.append(("Vary", "Accept-Encoding"))
            if "gzip" in ae:
                body = doc.gz
                gz = True
                headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Type", doc.ctype))
        self.count(200, len(body), conditional, idx, gz)
        return 200, headers, (body if method == "GET" else b"")

    def _control(self, path, query):
        q = dict(urllib.parse.parse_qsl(query))
        if path == "/_farm/stats":
            res = self.stats_json()
        elif path == "/_farm/reset_stats":
            self.reset_stats()
            res = {"ok": True}
        elif path == "/_farm/advance":
            res = self.advance(float(q.get("fraction", 0.1)), int(q.get("entries", 5)))
        elif path == "/_farm/reset":
            res = self.reset()
        elif path == "/_farm/info":
            res = self.info()
        else:
            return 404, [("Content-Type", "text/plain")], b"unknown control endpoint\n"
        return 200, [("Content-Type", "application/json")], json.dumps(res).encode()


REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 400: "Bad Request"}
_date_cache = [0, ""]


def _now_http_date():
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[0] = now
        _date_cache[1] = http_date(now)
    return _date_cache[1]


def build_head(status, headers, body_len, keep_alive):
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}",
             "Server: feedfarm", "Date: " + _now_http_date()]
    lines += [f"{k}: {v}" for k, v in headers]
    if status != 304:
        lines.append(f"Content-Length: {body_len}")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# --------------------------------------------------------------------------
# backend 1: ThreadingHTTPServer
# --------------------------------------------------------------------------

def make_threading_server(farm: Farm, host: str, port: int):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def setup(self):
            super().setup()
            farm.count_connection()

        def log_message(self, *a):
            pass

        def _serve(self):
            status, headers, body = farm.respond(self.command, self.path, self.headers.get)
            if status == 304:
                body = b""
            head = build_head(status, headers, len(body), not self.close_connection)
            self.wfile.write(head)
            if body:
                self.wfile.write(body)

        do_GET = do_HEAD = _serve

        def do_POST(self):
            n = int(self.headers.get("content-length") or 0)
            if n:
                self.rfile.read(n)
            self._serve()

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024
        daemon_threads = True
        allow_reuse_address = True

    return Server((host, port), Handler)


# --------------------------------------------------------------------------
# backend 2: minimal asyncio HTTP/1.1 server
# --------------------------------------------------------------------------

async def _asyncio_handle(farm: Farm, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    farm.count_connection()
    try:
        while True:
            try:
                raw = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                break
            lines = raw.decode("latin-1").split("\r\n")
            try:
                method, target, version = lines[0].split(" ", 2)
            except ValueError:
                writer.write(build_head(400, [], 0, False))
                break
            hdrs = {}
            for line in lines[1:]:
                if line:
                    k, _, v = line.partition(":")
                    hdrs[k.strip().lower()] = v.strip()
            n = int(hdrs.get("content-length") or 0)
            if n:
                await reader.readexactly(n)
            conn = hdrs.get("connection", "").lower()
            keep_alive = (version == "HTTP/1.1" and conn != "close") or \
                         (version == "HTTP/1.0" and conn == "keep-alive")
            status, headers, body = farm.respond(method, target, hdrs.get)
            if status == 304:
                body = b""
            writer.write(build_head(status, headers, len(body), keep_alive))
            if body:
                writer.write(body)
            await writer.drain()
            if not keep_alive:
                break
    except ConnectionError:
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


def serve_asyncio(farm: Farm, host: str, port: int, ready_cb=None):
    async def main():
        server = await asyncio.start_server(
            lambda r, w: _asyncio_handle(farm, r, w), host, port,
            backlog=1024, reuse_address=True, limit=1 << 16)
        if ready_cb:
            ready_cb()
        async with server:
            await server.serve_forever()
    try:
        import uvloop  # optional, not required
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())


# --------------------------------------------------------------------------
# OPML
# --------------------------------------------------------------------------

def opml_text(n_feeds, seed, host, port):
    fmts = feed_formats(n_feeds, seed)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n<head>\n',
           f"<title>feedfarm seed={seed} feeds={n_feeds}</title>\n</head>\n<body>\n"]
    for i in range(n_feeds):
        meta = feed_meta(seed, i, fmts[i])
        url = f"http://{host}:{port}{feed_path(i)}"
        out.append(f"<outline type=\"rss\" text={quoteattr(meta['title'])} "
                   f"title={quoteattr(meta['title'])} xmlUrl={quoteattr(url)} "
                   f"htmlUrl={quoteattr(meta['site'])} />\n")
    out.append("</body>\n</opml>\n")
    return "".join(out)


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

def _control_call(host, port, path):
    req = urllib.request.Request(f"http://{host}:{port}{path}", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp, entries=True):
        sp.add_argument("--feeds", type=int, default=1000)
        if entries:
            sp.add_argument("--entries", type=int, default=50)
        sp.add_argument("--seed", type=int, default=1)

    sp = sub.add_parser("serve", help="build the farm and serve it")
    common(sp)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8765)
    sp.add_argument("--backend", choices=["threading", "asyncio"], default="threading")
    sp.add_argument("--gzip", action="store_true", help="serve gzip to clients that accept it")
    sp.add_argument("--pidfile")

    sp = sub.add_parser("opml", help="write an OPML file listing the farm's feeds")
    common(sp, entries=False)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8765)
    sp.add_argument("-o", "--output", default="-")

    sp = sub.add_parser("dump", help="write the farm's documents to a directory")
    common(sp)
    sp.add_argument("--dir", required=True)

    for name in ("advance", "stats", "reset", "info"):
        sp = sub.add_parser(name, help=f"{name} a running farm")
        sp.add_argument("--host", default="127.0.0.1")
        sp.add_argument("--port", type=int, default=8765)
        if name == "advance":
            sp.add_argument("--fraction", type=float, default=0.1)
            sp.add_argument("--entries", type=int, default=5)
        if name == "stats":
            sp.add_argument("--reset", action="store_true", help="zero the counters after reading")

    a = p.parse_args(argv)
    if a.cmd == "serve":
        farm = Farm(a.feeds, a.entries, a.seed, use_gzip=a.gzip)
        if a.pidfile:
            with open(a.pidfile, "w") as f:
                f.write(str(os.getpid()))
        msg = f"feedfarm: serving http://{a.host}:{a.port}/feeds/NNNN.xml ({a.backend})"
        if a.backend == "threading":
            srv = make_threading_server(farm, a.host, a.port)
            print(msg, file=sys.stderr, flush=True)
            try:
                srv.serve_forever()
            except KeyboardInterrupt:
                pass
        else:
            try:
                serve_asyncio(farm, a.host, a.port,
                              ready_cb=lambda: print(msg, file=sys.stderr, flush=True))
            except KeyboardInterrupt:
                pass
    elif a.cmd == "opml":
        text = opml_text(a.feeds, a.seed, a.host, a.port)
        if a.output == "-":
            sys.stdout.write(text)
        else:
            with open(a.output, "w", encoding="utf-8") as f:
                f.write(text)
    elif a.cmd == "dump":
        os.makedirs(a.dir, exist_ok=True)
        for i, fmt, body in build_documents(a.feeds, a.entries, a.seed):
            with open(os.path.join(a.dir, f"{i:04d}.{fmt}.xml"), "wb") as f:
                f.write(body)
    elif a.cmd == "advance":
        r = _control_call(a.host, a.port, f"/_farm/advance?fraction={a.fraction}&entries={a.entries}")
        r.pop("feeds", None)
        print(json.dumps(r))
    elif a.cmd == "stats":
        print(json.dumps(_control_call(a.host, a.port, "/_farm/stats")))
        if a.reset:
            _control_call(a.host, a.port, "/_farm/reset_stats")
    elif a.cmd == "reset":
        print(json.dumps(_control_call(a.host, a.port, "/_farm/reset")))
    elif a.cmd == "info":
        print(json.dumps(_control_call(a.host, a.port, "/_farm/info")))


if __name__ == "__main__":
    main()
