#!/usr/bin/env python3
"""Generate large, realistic mail logs of every format mailflow decodes (benchmark input).

  gen-format-logs.py --format NAME --bytes N --out FILE [--seed S] [--year YYYY]
  gen-format-logs.py --list

Writes about N bytes (suffixes K, M, G, T: binary multiples, 500M = 524288000) of one
format into FILE and prints one JSON line
{"format": ..., "bytes": ..., "records": ..., "seconds": ...}; records = data lines / rows /
JSON objects (header lines not counted). The size is the size on disk, so for the UTF-16
formats it is the UTF-16LE size. Deterministic: the output depends only on the arguments
(no wall clock, no hash randomisation). Python 3 standard library only.

Formats (shapes copied from shared/corpus/cases and shared/reference/formats.md):

  exchange-message-tracking        delegates to tools/gen-tracking-log.py --bytes (MSGTRK, 30 fields)
  exchange-message-tracking-csv    Get-MessageTrackingLog | Export-Csv: '#TYPE ...' line, 32 PowerShell
                                   property names, every field quoted, Timestamp 'M/d/yyyy h:mm:ss AM',
                                   Recipients / RecipientStatus joined with ';' (UTF-8, CRLF)
  exchange-smtp-protocol           SMTP send protocol log (UTF-8 BOM, CRLF, 9 fields): sessions of
                                   2..25 lines; 451 / 550 / 421 replies, Winsock 10061 / 10060, TLS failures
  exchange-connectivity            transport connectivity log (UTF-8 BOM, CRLF, 6 fields): 4-line sessions,
                                   'Failed connection ... (TimedOut:0000274C)' + '(Retry : ...)', DNS retries
  exo-message-trace-json           Get-MessageTraceV2 | ConvertTo-Json (array, 2-space indent, CRLF)
  exo-message-trace-csv            Get-MessageTraceV2 | Export-Csv -NoTypeInformation (all quoted)
  exo-message-trace-detail         Get-MessageTraceDetailV2 | Export-Csv -NoTypeInformation: Date,Event,
                                   Action,Detail,Data,MessageId,MessageTraceId,RecipientAddress;
                                   Defer rows 'Reason: [{LED=450 4.4.316 ...};{MSG=};...]'
  exo-historical-extended          historical search Extended report: 27 underscore columns, all quoted,
                                   UTF-16LE with BOM, CRLF
  exo-historical-enhanced-summary  historical search Enhanced summary: 11 columns, UTF-16LE with BOM
  postfix                          classic syslog maillog (no year: pass mailflow --year), LF; smtpd,
                                   cleanup, qmgr, smtp sent/deferred/bounced, local, NOQUEUE rejects,
                                   expired messages (maximal_queue_lifetime=2d), a few foreign lines

Times start at --year-11-02T00:00:00Z and spread over about 7 days in proportion to the
bytes written; line logs are written in time order (sessions interleave), CSV/JSON exports
grouped per message. All times are UTC (ingest with --timezone UTC). Only documentation
names and addresses are used: example.com, contoso.test, fabrikam.test (and their
subdomains), 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24.
"""

import argparse
import calendar
import heapq
import json
import os
import random
import subprocess
import sys
import time
from functools import lru_cache

MS = 1
SEC = 1000
MINUTE = 60 * SEC
HOUR = 60 * MINUTE
DAY = 24 * HOUR
SPAN = 7 * DAY

FORMATS = [
    "exchange-message-tracking",
    "exchange-message-tracking-csv",
    "exchange-smtp-protocol",
    "exchange-connectivity",
    "exo-message-trace-json",
    "exo-message-trace-csv",
    "exo-message-trace-detail",
    "exo-historical-extended",
    "exo-historical-enhanced-summary",
    "postfix",
]

# ---------------------------------------------------------------------------
# Vocabulary (documentation domains and addresses only)

LOCAL_USERS = [
    "alice", "ben", "carol", "chloe", "david", "emma", "felix", "frank", "grace", "henry",
    "irene", "ivy", "jonas", "kate", "lena", "marco", "megan", "mike", "nora", "olga", "oscar",
    "paula", "quinn", "rita", "sam", "tina", "tom", "uma", "victor", "wendy", "xavier", "yara",
    "zoe", "helpdesk", "invoices", "hr", "sales", "noreply",
]
REMOTE_USERS = [
    "bob", "dan", "gina", "hank", "jack", "leo", "mia", "nick", "noah", "pete", "rosa", "ruth",
    "sara", "vera", "walt", "will", "info", "orders", "support", "accounts", "j.smith",
    "m.mueller", "a.dubois", "k.tanaka", "r.oconnor", "s.nakamura", "billing", "newsletter",
]
SUBJECTS = [
    "Contract renewal 2027", "Invoice 4711, 4712, and 4713", 'Re: "Q4 forecast" review',
    "Weekly status", "Purchase order 2026-118", "Meeting notes", "RE: Delivery schedule",
    "FW: Site visit; agenda attached", "Angebot f\u00fcr Projekt Nordlicht",
    "R\u00e9union de lancement \u2013 lundi", "O'Brien account, open items", "Quarterly report Q3/2026",
    "Price list update", "Re: Re: Shipment #5521", "Your ticket HD-20931 has been updated",
    "Training dates (December)", "Reminder: timesheets due Friday", "Draft agreement v3",
    "RE: NDA, signed copy", "Payment confirmation", "Onboarding checklist", "Change request CR-0457",
    "Budget 2027 - first draft", "Lunch & learn: SQL basics", "Scan from MFP-2F",
    "Automatic reply: Out of office", "Invitation: project kick-off", "Accepted: Weekly sync",
    "Re: \"urgent\" - server room access", "Minutes, board meeting 11/2026", "Credit note 88-201",
    "Order confirmation 77120", "\u898b\u7a4d\u66f8\u306e\u9001\u4ed8", "Travel booking: Oslo",
    "Re: Can you call me?", "FYI", "Test", "Customs documents, shipment 5521",
    "Customer feedback survey", "Holiday schedule", "Re: spec sheet (rev. B)", "Password expiry notice",
]
# Remote destinations: (domain, MX host, IP, Exchange send connector)
REMOTES = [
    ("contoso.test", "mx1.contoso.test", "198.51.100.7", "Outbound to Contoso"),
    ("contoso.test", "mx2.contoso.test", "198.51.100.8", "Outbound to Contoso"),
    ("fabrikam.test", "relay.fabrikam.test", "203.0.113.25", "To Partner Fabrikam"),
    ("mail.fabrikam.test", "mx.mail.fabrikam.test", "203.0.113.30", "Outbound to Internet"),
    ("lists.fabrikam.test", "mx.lists.fabrikam.test", "203.0.113.31", "Outbound to Internet"),
    ("sales.contoso.test", "mx.sales.contoso.test", "198.51.100.30", "Outbound to Internet"),
]
REMOTE_WEIGHTS = [30, 10, 30, 12, 8, 10]
SERVER = "EX19-01"
SERVER_FQDN = "EX19-01.example.com"
SERVER_IP = "192.0.2.10"
EXO_HOST = "PH0PR01MB7001.prod.exo.example.com"
EXO_CLIENT = "PH0PR01MB6001.prod.exo.example.com"
TENANT = "9f3b2c1d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
VERSION = "15.02.1544.004"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

# EXO connector deferrals (all 450, formats.md 3.2): (enhanced, text, inner message, retryable)
EXO_DEFERS = [
    ("4.4.316", "Connection refused", "[Message=Socket error code 10061]"),
    ("4.4.315", "Connection timed out", "[Message=Socket error code 10060]"),
    ("4.4.318", "Connection was closed abruptly", "[Message=Socket error code 10054]"),
    ("4.7.320", "Certificate validation failed", ""),
    ("4.4.317", "Cannot connect to remote server",
     "[Message=SubjectMismatch Expected Subject: mx.fabrikam.test. Presented Subject: CN=mail.fabrikam.test]"),
    ("4.4.312", "DNS query failed", "[Message=InfoDomainNonexistent]"),
]
EXO_DEFER_WEIGHTS = [40, 20, 10, 12, 8, 10]


# ---------------------------------------------------------------------------
# Helpers

def parse_size(text):
    """'500M' -> 524288000; suffixes K, M, G, T (binary), optional B or iB; plain digits are bytes."""
    t = text.strip().upper()
    if t.endswith("IB"):
        t = t[:-2]
    elif t.endswith("B"):
        t = t[:-1]
    mult = 1
    if t and t[-1] in "KMGT":
        mult = 1024 ** ("KMGT".index(t[-1]) + 1)
        t = t[:-1]
    value = float(t)
    if value <= 0:
        raise ValueError(text)
    return int(value * mult)


@lru_cache(maxsize=1 << 16)
def _iso_sec(sec):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))


def iso3(ms):
    """yyyy-MM-ddTHH:mm:ss.fffZ"""
    s, m = divmod(ms, 1000)
    return f"{_iso_sec(s)}.{m:03d}Z"


def iso7(ms, sub):
    """yyyy-MM-ddTHH:mm:ss.fffffffZ (sub: the 4 digits below the millisecond)"""
    s, m = divmod(ms, 1000)
    return f"{_iso_sec(s)}.{m:03d}{sub:04d}Z"


@lru_cache(maxsize=1 << 16)
def us_time(sec):
    """en-US culture text 'M/d/yyyy h:mm:ss AM' (PowerShell Export-Csv of a DateTime)."""
    tm = time.gmtime(sec)
    h = tm.tm_hour % 12 or 12
    return f"{tm.tm_mon}/{tm.tm_mday}/{tm.tm_year} {h}:{tm.tm_min:02d}:{tm.tm_sec:02d} {'AM' if tm.tm_hour < 12 else 'PM'}"


@lru_cache(maxsize=1 << 16)
def syslog_time(sec):
    """'Nov  2 10:15:00' (classic syslog, day space-padded)"""
    tm = time.gmtime(sec)
    return f"{MONTHS[tm.tm_mon - 1]} {tm.tm_mday:2d} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"


@lru_cache(maxsize=1 << 12)
def rfc2822(sec):
    tm = time.gmtime(sec)
    return f"{DAYS[tm.tm_wday]}, {tm.tm_mday} {MONTHS[tm.tm_mon - 1]} {tm.tm_year} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} +0000"


def q(s):
    """One CSV field, always quoted (PowerShell Export-Csv, historical search reports)."""
    return '"' + s.replace('"', '""') + '"'


def w3c(s):
    """One W3C-log field: quoted only when it holds a comma or a quote."""
    if "," in s or '"' in s:
        return '"' + s.replace('"', '""') + '"'
    return s


_M64 = (1 << 64) - 1
_M128 = (1 << 128) - 1


def mix(n, salt=0):
    """A well-spread 64-bit value of n (deterministic, cheap)."""
    x = (n * 0x9E3779B97F4A7C15 + salt * 0xD1B54A32D192ED03) & _M64
    x ^= x >> 31
    x = (x * 0xBF58476D1CE4E5B9) & _M64
    return x ^ (x >> 29)


def guid(n, salt=0):
    h = f"{mix(n, salt):016x}{mix(n, salt + 7):016x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def hexid(n, digits, salt=0, upper=True):
    v = f"{mix(n, salt):016X}" if upper else f"{mix(n, salt):016x}"
    if digits > 16:
        v += f"{mix(n, salt + 3):016X}" if upper else f"{mix(n, salt + 3):016x}"
    return v[:digits]


class Out:
    """Buffered writer that knows how many bytes the file has (or will have)."""

    def __init__(self, path, encoding, target, bom=""):
        self.f = open(path, "wb")
        self.encoding = encoding
        self.factor = 2 if encoding == "utf-16-le" else 1
        self.target = target
        self.buf = []
        self.buflen = 0
        self.bytes = 0
        self.records = 0
        if bom:
            self.write(bom)

    def write(self, s):
        self.buf.append(s)
        self.buflen += len(s)
        if self.buflen >= 1 << 22:
            self.flush()

    def flush(self):
        if self.buf:
            data = "".join(self.buf).encode(self.encoding)
            self.f.write(data)
            self.bytes += len(data)
            self.buf = []
            self.buflen = 0

    def size(self):
        return self.bytes + self.buflen * self.factor

    def close(self):
        self.flush()
        self.f.close()


class Timeline:
    """Lines of concurrent sessions/messages, written in time order."""

    def __init__(self, out, render):
        self.heap = []
        self.seq = 0
        self.out = out
        self.render = render   # (t_ms, text) -> full line

    def add(self, t, text):
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, text))

    def release(self, upto):
        h = self.heap
        out = self.out
        render = self.render
        pop = heapq.heappop
        n = 0
        while h and h[0][0] <= upto:
            t, _, text = pop(h)
            out.write(render(t, text))
            n += 1
        out.records += n


class Base:
    """One format: header(), then group(t) until the file is big enough, then finish()."""
    encoding = "utf-8"
    bom = ""
    timeline = False

    def __init__(self, rng, start_ms, out):
        self.rng = rng
        self.start = start_ms
        self.out = out
        self.n = 0        # message / session counter (ids derive from it)
        r = rng
        self.subjects = SUBJECTS
        # Pre-drawn address pools keep the per-record cost low.
        self.local = [f"{u}@example.com" for u in LOCAL_USERS]
        self.remote_by_domain = {}
        for dom, _, _, _ in REMOTES:
            self.remote_by_domain[dom] = [f"{u}@{dom}" for u in REMOTE_USERS]
        self.tl = Timeline(out, self.render) if self.timeline else None

    def pick_remote(self):
        r = self.rng
        dest = r.choices(REMOTES, REMOTE_WEIGHTS)[0]
        return dest

    def rcpt_count(self):
        x = self.rng.random()
        return 1 if x < 0.72 else 2 if x < 0.90 else 3 if x < 0.97 else 5

    def header(self):
        pass

    def finish(self):
        if self.tl:
            self.tl.release(1 << 62)

    def render(self, t, text):
        raise NotImplementedError


def exchange_header(log_type, fields, t):
    return ("\ufeff#Software: Microsoft Exchange Server\r\n"
            f"#Version: {VERSION}\r\n"
            f"#Log-type: {log_type}\r\n"
            f"#Date: {iso3(t)}\r\n"
            f"#Fields: {fields}\r\n")


# ---------------------------------------------------------------------------
# exchange-smtp-protocol

class SmtpProtocol(Base):
    timeline = True

    def header(self):
        self.port = 27000
        self.out.write(exchange_header(
            "SMTP Send Protocol Log",
            "date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context",
            self.start + 21))

    def render(self, t, text):
        return f"{iso3(t)},{text}\r\n"

    def group(self, t):
        r = self.rng
        self.n += 1
        n = self.n
        dom, host, ip, conn = self.pick_remote()
        sid = "08DE1B2C" + hexid(n, 8, 1)
        self.port = 27000 + (self.port - 26999) % 38000
        local = f"{SERVER_IP}:{self.port}"
        remote = f"{ip}:25"
        add = self.tl.add
        seq = 0

        def line(dt, loc, ev, data, ctx=""):
            nonlocal seq
            add(t + dt, f"{conn},{sid},{seq},{loc},{remote},{ev},{data},{ctx}")
            seq += 1

        line(0, "", "*", "", "attempting to connect")
        x = r.random()
        if x < 0.06:     # refused
            line(1015 + r.randrange(40), "", "*", "",
                 w3c(f"Failed to connect. Winsock error code: 10061, Win32 error code: 10061, Destination domain: {dom}, "
                     f"Error Message: No connection could be made because the target machine actively refused it {remote}."))
            return
        if x < 0.09:     # timed out
            line(21000 + r.randrange(90), "", "*", "",
                 w3c(f"Failed to connect. Winsock error code: 10060, Win32 error code: 10060, Destination domain: {dom}, "
                     "Error Message: A connection attempt failed because the connected party did not properly respond "
                     "after a period of time, or established connection failed because connected host has failed to "
                     f"respond {remote}."))
            return
        d = 15 + r.randrange(20)
        line(d, local, "+", "")
        d += 30 + r.randrange(20)
        if x < 0.11:     # 421 banner
            line(d, local, "<", w3c(f"421 4.3.2 Service not available, closing transmission channel"))
            line(d + 1, local, "-", "", "Remote")
            return
        if r.random() < 0.5:
            line(d, local, "<", w3c(f"220 {host} Microsoft ESMTP MAIL Service ready at {rfc2822((t + d) // 1000)}"))
        else:
            line(d, local, "<", f"220 {host} ESMTP ready")
        line(d + 1, local, ">", f"EHLO {SERVER_FQDN}")
        d += 30
        line(d, local, "<", f"250-{host} Hello [{SERVER_IP}]")
        line(d, local, "<", "250-SIZE 36700160")
        line(d, local, "<", "250-PIPELINING")
        tls = r.random() < 0.35
        if tls:
            line(d, local, "<", "250-STARTTLS")
        line(d, local, "<", "250 ENHANCEDSTATUSCODES")
        if tls:
            line(d + 1, local, ">", "STARTTLS")
            d += 30
            line(d, local, "<", "220 2.0.0 Ready to start TLS")
            line(d + 1, local, "*", "", "Sending certificate")
            line(d + 1, local, "*", f"CN={SERVER_FQDN}", "Certificate subject")
            d += 31
            if x < 0.14:
                line(d, local, "*", "", "TLS negotiation failed with error NoCredentials")
                line(d + 1, local, "-", "", "Local")
                return
            line(d, local, "*", "", "TLS negotiation succeeded")
            line(d + 1, local, ">", f"EHLO {SERVER_FQDN}")
            d += 30
            line(d, local, "<", f"250-{host} Hello [{SERVER_IP}]")
            line(d, local, "<", "250 8BITMIME")
        mid = f"<{hexid(n, 32, 2, upper=False)}@{SERVER_FQDN}>"
        sender = r.choice(self.local)
        rcpts = r.sample(self.remote_by_domain[dom], self.rcpt_count())
        line(d + 1, local, "*", "", f"sending message with RecordId {51539607553 + n} and InternetMessageId {mid}")
        line(d + 1, local, ">", f"MAIL FROM:<{sender}> SIZE={2000 + r.randrange(300000)}")
        for a in rcpts:
            line(d + 1, local, ">", f"RCPT TO:<{a}>")
        d += 35 + r.randrange(30)
        line(d, local, "<", "250 2.1.0 Sender OK")
        if x < 0.18:     # 451 after RCPT: deferral
            line(d + 1, local, "<", "451 4.7.0 Temporary server error. Please try again later. PRX4")
            line(d + 2, local, ">", "QUIT")
            line(d + 30, local, "<", "221 2.0.0 Service closing transmission channel")
            line(d + 31, local, "-", "", "Local")
            return
        ok = 0
        for i, a in enumerate(rcpts):
            if x < 0.24 and i == len(rcpts) - 1:   # 550 for the last recipient
                line(d + 1, local, "<", f"550 5.1.1 <{a}>: Recipient address rejected: User unknown")
            else:
                line(d + 1, local, "<", "250 2.1.5 Recipient OK")
                ok += 1
        if ok:
            line(d + 2, local, ">", "DATA")
            d += 30
            line(d, local, "<", "354 End data with <CR><LF>.<CR><LF>")
            d += 100 + r.randrange(900)
            if x < 0.26:
                line(d, local, "<", "452 4.3.1 Insufficient system resources")
            else:
                line(d, local, "<", f"250 2.6.0 {mid} Queued mail for delivery")
        line(d + 1, local, ">", "QUIT")
        line(d + 30, local, "<", "221 2.0.0 Service closing transmission channel")
        line(d + 31, local, "-", "", "Local")


# ---------------------------------------------------------------------------
# exchange-connectivity

class Connectivity(Base):
    timeline = True

    def header(self):
        self.out.write(exchange_header("Transport Connectivity Log",
                                       "date-time,session,source,Destination,direction,description",
                                       self.start + 17))
        self.dns_guid = guid(1, 99)
        self.smart_guid = guid(2, 99)

    def render(self, t, text):
        return f"{iso3(t)},{text}\r\n"

    def group(self, t):
        r = self.rng
        self.n += 1
        sid = "08DE1B2C" + hexid(self.n, 8, 5)
        dom, host, ip, _ = self.pick_remote()
        add = self.tl.add
        pre = f"{sid},SMTP,{dom},"
        tq = 1 + r.randrange(6)
        x = r.random()
        if x < 0.03:   # DNS failure at a smart host: no '>' line
            add(t, f"{sid},SMTP,relay.{dom},+,SmartHostConnectorDelivery {self.smart_guid};QueueLength=TQ={tq};RN={tq};")
            add(t + 45, f"{sid},SMTP,relay.{dom},-,Messages: 0 Bytes: 0 (Retry : DNS query failed. "
                        "The error was: SMTPSEND.DNS.NonExistentDomain; nonexistent domain)")
            return
        add(t, f"{pre}+,DnsConnectorDelivery {self.dns_guid};QueueLength=TQ={tq};RN={tq};")
        add(t + 10 + r.randrange(10), f"{pre}>,{host}[{ip}]")
        if x < 0.18:
            if x < 0.13:
                dt, err = 21000 + r.randrange(100), "TimedOut:0000274C"
            else:
                dt, err = 10 + r.randrange(20), "ConnectionRefused:0000274D"
            fc = 1 + r.randrange(20)
            nxt = t + dt + 5 * MINUTE * (1 + (fc > 1))
            add(t + dt, f"{pre}>,Failed connection to {ip}:25 ({err})[TargetHost:{host}:25|MarkedUnhealthy|"
                        f"FailureCount:{fc}|NextRetryTime:{iso3(nxt)}]")
            add(t + dt + 3, f"{pre}-,Messages: 0 Bytes: 0 (Retry : Unable to connect)")
            return
        add(t + 50 + r.randrange(50), f"{pre}>,Established connection to {ip}")
        msgs = 1 + r.randrange(tq)
        add(t + 600 + r.randrange(3000), f"{pre}-,Messages: {msgs} Bytes: {msgs * (3000 + r.randrange(90000))}")


# ---------------------------------------------------------------------------
# Exchange Online message trace (JSON / CSV) and detail (CSV)

class ExoMessage:
    """One EXO message: sender, recipients and per-recipient outcome."""
    __slots__ = ("mid", "trace", "sender", "rcpts", "subject", "size", "incoming", "outcomes", "toip", "fromip")


def exo_message(self, t):
    r = self.rng
    self.n += 1
    n = self.n
    m = ExoMessage()
    m.trace = guid(n, 11)
    m.size = 2000 + int(r.expovariate(1 / 40000))
    m.subject = r.choice(SUBJECTS)
    m.incoming = r.random() < 0.40
    k = self.rcpt_count()
    if m.incoming:
        dom, host, ip, _ = self.pick_remote()
        m.sender = r.choice(self.remote_by_domain[dom])
        m.rcpts = r.sample(self.local, k)
        m.mid = f"<{time.strftime('%Y%m%d%H%M%S', time.gmtime(t // 1000))}.{hexid(n, 10, 12)}@{host}>"
        m.fromip = ip
        m.toip = None
    else:
        dom, host, ip, _ = self.pick_remote()
        m.sender = r.choice(self.local)
        m.rcpts = r.sample(self.remote_by_domain[dom], k)
        m.mid = f"<PH0PR01MB7001{hexid(n, 24, 13)}@{EXO_HOST}>"
        m.fromip = None
        m.toip = ip
    return m


STATUS_CHOICES = ["Delivered", "Failed", "Pending", "FilteredAsSpam", "Quarantined", "Expanded", "GettingStatus"]
STATUS_WEIGHTS = [84, 5, 4, 3, 1, 2, 1]


class ExoTraceJSON(Base):
    def header(self):
        self.out.write("[")
        self.first = True
        self.subj_json = {s: json.dumps(s, ensure_ascii=(i % 5 == 0)) for i, s in enumerate(SUBJECTS)}

    def group(self, t):
        r = self.rng
        m = exo_message(self, t)
        out = self.out
        frac = r.random()
        sub = r.randrange(10000)
        received = iso7(t, sub) if frac < 0.85 else (iso3(t)[:-5] + "Z" if frac < 0.92 else iso3(t))
        subj = "null" if r.random() < 0.01 else self.subj_json[m.subject]
        toip = f'"{m.toip}"' if m.toip else "null"
        fromip = f'"{m.fromip}"' if m.fromip else "null"
        for a in m.rcpts:
            status = r.choices(STATUS_CHOICES, STATUS_WEIGHTS)[0]
            ti = toip if status == "Delivered" else "null"
            out.write("\r\n  {\r\n" if self.first else ",\r\n  {\r\n")
            self.first = False
            out.write(f'    "Received": "{received}",\r\n'
                      f'    "SenderAddress": "{m.sender}",\r\n'
                      f'    "RecipientAddress": "{a}",\r\n'
                      f'    "Subject": {subj},\r\n'
                      f'    "Status": "{status}",\r\n'
                      f'    "ToIP": {ti},\r\n'
                      f'    "FromIP": {fromip},\r\n'
                      f'    "Size": {m.size},\r\n'
                      f'    "MessageId": "{m.mid}",\r\n'
                      f'    "MessageTraceId": "{m.trace}"\r\n'
                      "  }")
            out.records += 1

    def finish(self):
        self.out.write("\r\n]\r\n")


class ExoTraceCSV(Base):
    def header(self):
        self.out.write('"Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size",'
                       '"MessageId","MessageTraceId"\r\n')
        self.subj_q = {s: q(s) for s in SUBJECTS}

    def group(self, t):
        r = self.rng
        m = exo_message(self, t)
        out = self.out
        received = us_time(t // 1000)
        subj = self.subj_q[m.subject]
        toip = m.toip or ""
        fromip = m.fromip or ""
        for a in m.rcpts:
            status = r.choices(STATUS_CHOICES, STATUS_WEIGHTS)[0]
            ti = toip if status == "Delivered" else ""
            out.write(f'"{received}","{m.sender}","{a}",{subj},"{status}","{ti}","{fromip}","{m.size}",'
                      f'"{m.mid}","{m.trace}"\r\n')
            out.records += 1


def led_defer(choice, host, ip, lrt):
    enh, text, inner = choice
    inner = f" {inner}" if inner else ""
    if enh == "4.4.312":
        return f"[{{LED=450 {enh} {text}{inner}}};{{MSG=}};{{FQDN=}};{{IP=}};{{LRT={lrt}}}]"
    return (f"[{{LED=450 {enh} {text}{inner} [LastAttemptedServerName={host}] [LastAttemptedIP={ip}:25]}};"
            f"{{MSG=}};{{FQDN={host}}};{{IP={ip}}};{{LRT={lrt}}}]")


class ExoTraceDetail(Base):
    """Rows grouped per message and recipient (as the cmdlet is called per message)."""

    def header(self):
        self.out.write('"Date","Event","Action","Detail","Data","MessageId","MessageTraceId","RecipientAddress"\r\n')

    def group(self, t):
        r = self.rng
        m = exo_message(self, t)
        w = self.out.write
        dom_host = None
        for a in m.rcpts:
            tail = f'"{q(m.mid)[1:-1]}","{m.trace}","{a}"\r\n'
            rows = 0
            if m.incoming:
                w(f'"{us_time(t // 1000)}","Receive","","Message received by: {EXO_HOST}",'
                  f'"<root><MEP Name=""ClientIP"" String=""{m.fromip}""/><MEP Name=""ClientName"" '
                  f'String=""mail.fabrikam.test""/></root>",{tail}')
            else:
                w(f'"{us_time(t // 1000)}","Receive","","Message received by: {EXO_HOST}",'
                  f'"<root><MEP Name=""ClientIP"" String=""""/><MEP Name=""ClientName"" String=""{EXO_CLIENT}""/></root>",{tail}')
            rows += 1
            if r.random() < 0.6:
                w(f'"{us_time(t // 1000 + 1)}","Submit","","The message was submitted.","<root></root>",{tail}')
                rows += 1
            x = r.random()
            tt = t + 2 * SEC + r.randrange(3 * SEC)
            if m.incoming:
                if x < 0.03:
                    w(f'"{us_time(tt // 1000)}","Fail","","Reason: [{{LED=550 5.1.10 RESOLVER.ADR.RecipientNotFound; '
                      f'Recipient not found by SMTP address lookup}};{{MSG=}};{{FQDN=}};{{IP=}};{{LRT=}}]","<root></root>",{tail}')
                elif x < 0.05:
                    w(f'"{us_time(tt // 1000)}","Drop","","Reason: [{{LED=250 2.1.5 RESOLVER.OOF.IntToExt; handled internal '
                      f'OOF addressed to external recipient}};{{MSG=}};{{FQDN=}};{{IP=}};{{LRT=}}]","<root></root>",{tail}')
                else:
                    w(f'"{us_time(tt // 1000)}","Deliver","","The message was successfully delivered.",'
                      f'"<root><MEP Name=""MailboxDatabaseName"" String=""NAMPR01DG001-db042""/></root>",{tail}')
                self.out.records += rows + 1
                continue
            host, ip = m.toip and ("mx.fabrikam.test", m.toip) or ("mail.contoso.test", "192.0.2.25")
            if x < 0.88:
                w(f'"{us_time(tt // 1000)}","Send","","Message sent to {host} at {ip} using TLS1.2 with AES256","<root></root>",{tail}')
                rows += 1
            elif x < 0.90:
                w(f'"{us_time(tt // 1000)}","Fail","","Reason: [{{LED=550 5.1.1 <{a}>: Recipient address rejected: '
                  f'User unknown}};{{MSG=}};{{FQDN={host}}};{{IP={ip}}};{{LRT=}}]","<root></root>",{tail}')
                rows += 1
            else:
                expire = x >= 0.975
                tries = 4 + r.randrange(6) if expire else 1 + r.randrange(4)
                cause = r.choices(EXO_DEFERS, EXO_DEFER_WEIGHTS)[0]
                for i in range(tries):
                    if r.random() < 0.2:
                        cause = r.choices(EXO_DEFERS, EXO_DEFER_WEIGHTS)[0]
                    lrt = us_time(tt // 1000)
                    w(f'"{lrt}","Defer","","Reason: {led_defer(cause, host, ip, lrt)}. OutboundProxyTargetIP: {ip}. '
                      f'OutboundProxyTargetHostName: {host}","<root><MEP Name=""RetryCount"" String=""{i + 1}""/></root>",{tail}')
                    rows += 1
                    tt += (1 + i) * 15 * MINUTE + r.randrange(MINUTE)
                if expire:
                    w(f'"{us_time((t + DAY) // 1000 + 4)}","Fail","","Reason: [{{LED=550 4.4.7 QUEUE.Expired; message expired}};'
                      f'{{MSG=}};{{FQDN=}};{{IP=}};{{LRT=}}]","<root></root>",{tail}')
                else:
                    w(f'"{us_time(tt // 1000)}","Send","","Message sent to {host} at {ip} using TLS1.2 with AES256","<root></root>",{tail}')
                rows += 1
            self.out.records += rows


# ---------------------------------------------------------------------------
# Historical search reports (UTF-16LE with BOM)

EXT_COLUMNS = ("date_time_utc,client_ip,client_hostname,server_ip,server_hostname,source_context,connector_id,"
               "source,event_id,internal_message_id,message_id,network_message_id,recipient_address,"
               "recipient_status,total_bytes,recipient_count,related_recipient_address,reference,"
               "message_subject,sender_address,return_path,message_info,directionality,tenant_id,"
               "original_client_ip,original_server_ip,custom_data").split(",")
assert len(EXT_COLUMNS) == 27


class ExoExtended(Base):
    encoding = "utf-16-le"
    bom = "\ufeff"

    def header(self):
        self.out.write(",".join(q(c) for c in EXT_COLUMNS) + "\r\n")
        self.subj_q = {s: q(s) for s in SUBJECTS}

    def group(self, t):
        r = self.rng
        m = exo_message(self, t)
        w = self.out.write
        imid = 4398046511105 + self.n * 16
        nmid = guid(self.n, 21)
        rc = ";".join(m.rcpts)
        k = len(m.rcpts)
        subj = self.subj_q[m.subject]
        direction = "Incoming" if m.incoming else "Originating"
        # columns 9..12 and 14..27 around the per-row recipient_status
        mid = f'"{imid}",{q(m.mid)},"{nmid}","{rc}"'
        tail = (f'"{m.size}","{k}","","",{subj},"{m.sender}","{m.sender}","","{direction}","{TENANT}",'
                f'"{m.fromip or ""}","",')
        rows = 0

        def row(tt, pre, sctx, conn, source, event, status, custom=""):
            nonlocal rows
            w(f'"{iso7(tt, r.randrange(10) * 1000)}",{pre},{q(sctx)},"{conn}","{source}","{event}",{mid},{q(status)},{tail}"{custom}"\r\n')
            rows += 1

        srv = f'"","","","{EXO_HOST}"'
        if m.incoming:
            row(t, f'"{m.fromip}","mail.fabrikam.test","","{EXO_HOST}"', "", "", "SMTP", "RECEIVE", ";".join(["To"] * k))
            row(t + 300, srv, "", "", "AGENT", "AGENTINFO", "",
                "S:CFA=SUM|SFV=NSPM|IPV=NLI|SRV=|SFP=|SCL=1|SCORE=-5|LIST=0|DI=SN|RD=mail.fabrikam.test|H=mail.fabrikam.test|"
                "CIP=" + m.fromip + "|SFS=;S:AMA=SUM|v=1|action=|error=|atch=0;S:DeliveryPriority=Normal")
            tt = t + 2 * SEC + r.randrange(2 * SEC)
            if r.random() < 0.03:
                row(tt, srv, "", "", "ROUTING", "FAIL",
                    ";".join("[{LED=550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup};"
                             "{MSG=};{FQDN=};{IP=};{LRT=}]" for _ in range(k)))
            else:
                row(tt, srv, "", "", "STOREDRIVER", "DELIVER", ";".join(["250 2.1.5 Ok"] * k))
            self.out.records += rows
            return
        row(t, f'"","{EXO_CLIENT}","","{EXO_HOST}"',
            f"MDB:{guid(self.n, 22)}, Mailbox:{guid(self.n, 23)}, Event:{55120733 + self.n}, MessageClass:IPM.Note, "
            f"CreationTime:{iso3(t - 130)}, ClientType:OWA", "", "STOREDRIVER", "RECEIVE", ";".join(["To"] * k))
        conn = "Outbound to OnPrem" if m.toip and m.toip.startswith("198.51.100.") else "Partner TLS"
        host = "mx.fabrikam.test" if conn == "Partner TLS" else "mail.contoso.test"
        ip = m.toip
        tt = t + 1 * SEC + r.randrange(2 * SEC)
        x = r.random()
        if x >= 0.90:
            expire = x >= 0.975
            tries = 4 + r.randrange(5) if expire else 1 + r.randrange(3)
            cause = r.choices(EXO_DEFERS, EXO_DEFER_WEIGHTS)[0]
            for i in range(tries):
                if r.random() < 0.2:
                    cause = r.choices(EXO_DEFERS, EXO_DEFER_WEIGHTS)[0]
                status = led_defer(cause, host, ip, us_time(tt // 1000))
                row(tt, srv, "", conn, "DNS" if cause[0] == "4.4.312" else "SMTP", "DEFER", ";".join([status] * k))
                tt += (1 + i) * 20 * MINUTE + r.randrange(MINUTE)
            if expire:
                tt = t + DAY + 4 * SEC
                st = "[{LED=550 4.4.7 QUEUE.Expired; message expired};{MSG=};{FQDN=};{IP=};{LRT=}]"
                row(tt, srv, "", conn, "QUEUE", "FAIL", ";".join([st] * k))
                row(tt + 200, srv, "", "", "DSN", "DSN", ";".join(["550 4.4.7 QUEUE.Expired; message expired"] * k))
                self.out.records += rows
                return
        row(tt, f'"","","{ip}","{EXO_HOST}"',
            f"250 2.6.0 {m.mid} [InternalId={imid}, Hostname={host}] Queued mail for delivery", conn, "SMTP", "SEND",
            ";".join(["250 2.1.5 Recipient OK"] * k))
        self.out.records += rows


class ExoEnhancedSummary(Base):
    encoding = "utf-16-le"
    bom = "\ufeff"

    def header(self):
        self.out.write('"origin_timestamp_utc","sender_address","recipient_status","message_subject","total_bytes",'
                       '"message_id","network_message_id","original_client_ip","directionality","connector_id",'
                       '"delivery_priority"\r\n')
        self.subj_q = {s: q(s) for s in SUBJECTS}

    def group(self, t):
        r = self.rng
        m = exo_message(self, t)
        parts = []
        for a in m.rcpts:
            x = r.random()
            if m.incoming:
                ev = "Receive, Deliver" if x < 0.96 else "Receive, Fail"
            else:
                ev = "Receive, Send" if x < 0.95 else "Receive, Fail" if x < 0.99 else "Receive, Defer"
            if r.random() < 0.01:
                u, d = a.split("@")
                a = f'"{u.title()} Example<{u}"@{d}'
            parts.append(f"{a}##{ev}")
        conn = "" if m.incoming else ("Outbound to OnPrem" if m.toip.startswith("198.51.100.") else "Partner TLS")
        self.out.write(f'"{iso7(t, r.randrange(10000))}","{m.sender}",{q(";".join(parts))},{self.subj_q[m.subject]},'
                       f'"{m.size}",{q(m.mid)},"{guid(self.n, 21)}","{m.fromip or ""}",'
                       f'"{"Incoming" if m.incoming else "Originating"}","{conn}","Normal"\r\n')
        self.out.records += 1


# ---------------------------------------------------------------------------
# exchange-message-tracking-csv (Get-MessageTrackingLog | Export-Csv)

TRK_CSV_COLUMNS = ("RunspaceId,Timestamp,ClientIp,ClientHostname,ServerIp,ServerHostname,SourceContext,ConnectorId,"
                   "Source,EventId,InternalMessageId,MessageId,NetworkMessageId,Recipients,RecipientStatus,TotalBytes,"
                   "RecipientCount,RelatedRecipientAddress,Reference,MessageSubject,Sender,ReturnPath,Directionality,"
                   "TenantId,OriginalClientIp,OriginalServerIp,MessageInfo,MessageLatency,MessageLatencyType,EventData,"
                   "TransportTrafficType,SchemaVersion").split(",")
assert len(TRK_CSV_COLUMNS) == 32
EVENTDATA = "System.Collections.Generic.List`1[System.Collections.Generic.KeyValuePair`2[System.String,System.Object]]"

TRK_DEFERS = [
    "451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry",
    "451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to TimedOut",
    "451 4.4.0 Primary target IP address responded with: \"421 4.2.1 Unable to connect.\" Attempted failover to "
    "alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all "
    "alternate hosts. The last endpoint attempted was {ip}:25",
    "441 4.4.1 Error encountered while communicating with primary target IP address: \"Failed to connect. Winsock "
    "error code: 10061, Win32 error code: 10061.\" Attempted failover to alternate host, but that did not succeed.",
]


class TrackingCSV(Base):
    timeline = True

    def header(self):
        self.out.write("#TYPE Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent\r\n")
        self.out.write(",".join(q(c) for c in TRK_CSV_COLUMNS) + "\r\n")
        self.prefix = f'"{guid(1, 40)}","'
        self.subj_q = {s: q(s) for s in SUBJECTS}

    def render(self, t, text):
        return f'{self.prefix}{us_time(t // 1000)}",{text}\r\n'

    def group(self, t):
        r = self.rng
        self.n += 1
        n = self.n
        add = self.tl.add
        k = self.rcpt_count()
        imid = 51539607553 + n
        nmid = guid(n, 41)
        size = 2000 + int(r.expovariate(1 / 40000))
        subj = self.subj_q[r.choice(SUBJECTS)]
        incoming = r.random() < 0.42
        dom, host, ip, conn = self.pick_remote()
        if incoming:
            sender = r.choice(self.remote_by_domain[dom])
            rcpts = r.sample(self.local, k)
            mid = f"<{time.strftime('%Y%m%d%H%M%S', time.gmtime(t // 1000))}.{hexid(n, 10, 42)}@{host}>"
            direction = "Incoming"
        else:
            sender = r.choice(self.local)
            rcpts = r.sample(self.remote_by_domain[dom], k)
            mid = f"<{hexid(n, 32, 43, upper=False)}@{SERVER_FQDN}>"
            direction = "Originating"
        rc = ";".join(rcpts)
        mid_q = q(mid)
        ret = "<>" if sender.startswith("noreply") and r.random() < 0.5 else sender
        tail = f'"{size}","{k}","","",{subj},"{sender}","{ret}","{direction}","","",""'

        def row(tt, pre, sctx, cid, source, event, status, info="", latency="", ltype="None", ref=""):
            add(tt, f'{pre},{q(sctx)},{q(cid)},"{source}","{event}","{imid}",{mid_q},"{nmid}","{rc}",{q(status)},'
                    f'"{size}","{k}","",{q(ref)},{subj},"{sender}","{ret}","{direction}","","","",'
                    f'{q(info)},"{latency}","{ltype}","{EVENTDATA}","Email","{VERSION}"')

        srv = f'"","","{SERVER_IP}","{SERVER}"'
        if incoming:
            ctx = f"08DE1B2C{hexid(n, 8, 44)};{iso3(t - 200)};0"
            row(t, f'"{ip}","{host}","{SERVER_IP}","{SERVER}"', ctx, f"{SERVER}\\Default {SERVER}", "SMTP", "RECEIVE",
                ";".join(["To"] * k), info="0cA: ")
            row(t + 20, srv, "Transport Rule Agent", "", "AGENT", "AGENTINFO", "")
            tt = t + 1500 + r.randrange(1500)
            row(tt, f'"{SERVER_IP}","{SERVER_FQDN}","{SERVER_IP}","{SERVER}"',
                f"MDB:{guid(n, 45)}, Mailbox:{guid(n, 46)}, Event:{269492708 + n}, MessageClass:IPM.Note, "
                f"CreationTime:{iso3(tt - 300)}, ClientType:StoreDriver", "", "STOREDRIVER", "DELIVER",
                ";".join(["250 2.1.5 Ok"] * k), info=f"{iso3(t - 900)};SRV={SERVER_FQDN}:TOTAL-SUB=0.016|SA=0.005",
                latency="00:00:0" + str(1 + r.randrange(8)) + ".5420000", ltype="EndToEnd")
            return
        row(t, f'"{SERVER_IP}","{SERVER_FQDN}","","{SERVER}"',
            f"MDB:{guid(n, 45)}, Mailbox:{guid(n, 46)}, Event:{269492708 + n}, MessageClass:IPM.Note, "
            f"CreationTime:{iso3(t - 150)}, ClientType:OWA", "", "STOREDRIVER", "RECEIVE", ";".join(["To"] * k),
            info="04I: ")
        row(t + 30, srv, "", "", "STOREDRIVER", "SUBMIT", "")
        tt = t + 500 + r.randrange(1500)
        x = r.random()
        if x >= 0.93:
            expire = x >= 0.985
            cause = r.choice(TRK_DEFERS).replace("{ip}", ip)
            tries = 6 + r.randrange(6) if expire else 1 + r.randrange(4)
            for i in range(tries):
                st = f"[{{LED={cause}}};{{MSG=}};{{FQDN={host}}};{{IP={ip}}};{{LRT={us_time(tt // 1000)}}}]"
                row(tt, srv, "", conn, "SMTP" if i else "QUEUE", "DEFER", ";".join([st] * k))
                tt += 15 * MINUTE * (1 + min(i, 7)) + r.randrange(MINUTE)
            if expire:
                tt = t + 2 * DAY + r.randrange(10 * MINUTE)
                st = f"[{{LED=550 4.4.7 QUEUE.Expired; message expired}};{{MSG=}};{{FQDN={host}}};{{IP={ip}}};{{LRT=}}]"
                row(tt, srv, "", conn, "QUEUE", "FAIL", ";".join([st] * k))
                ndr = f"<{hexid(n, 32, 47, upper=False)}@{SERVER_FQDN}>"
                row(tt + 100, srv, "", "", "DSN", "DSN", "", ref=ndr)
                return
        reply = (f"250 2.6.0 {mid} [InternalId={imid}, Hostname={host}] {size} bytes in 0.{r.randrange(100, 999)}, "
                 f"{r.randrange(50, 2000)}.{r.randrange(100, 999)} KB/sec Queued mail for delivery")
        status = ";".join("250 2.1.5 Recipient OK" if (x >= 0.04 or i < k - 1) else
                          f"550 5.1.1 <{a}>: Recipient address rejected: User unknown"
                          for i, a in enumerate(rcpts))
        row(tt, f'"{SERVER_IP}","{SERVER_FQDN}","{ip}","{host}"', reply, conn, "SMTP", "SEND", status,
            info=f"{iso3(t)};SRV={SERVER_FQDN}:TOTAL-HUB=0.{r.randrange(100, 999)}|SMR=0.127",
            latency="00:00:0" + str(r.randrange(10)) + ".9280000", ltype="EndToEnd")


# ---------------------------------------------------------------------------
# postfix

class Postfix(Base):
    timeline = True
    LIFETIME = 2 * DAY   # maximal_queue_lifetime=2d on this host

    def header(self):
        self.clients = [(f"client{i}.example.com", f"192.0.2.{40 + i}") for i in range(20)] + \
                       [("mail.fabrikam.test", "203.0.113.25"), ("mx.contoso.test", "198.51.100.7"),
                        ("unknown", "203.0.113.99"), ("unknown", "198.51.100.200")]
        self.qmgr = 1187

    def render(self, t, text):
        return f"{syslog_time(t // 1000)} mailhost {text}\n"

    def qid(self, salt):
        return hexid(self.n, 10, salt)

    def pid(self):
        return 20000 + self.rng.randrange(12000)

    def group(self, t):
        r = self.rng
        self.n += 1
        add = self.tl.add
        x = r.random()
        if x < 0.05:       # NOQUEUE reject
            spid = self.pid()
            ip = f"203.0.113.{100 + r.randrange(100)}"
            add(t, f"postfix/smtpd[{spid}]: connect from unknown[{ip}]")
            if r.random() < 0.6:
                txt = (f"554 5.7.1 <x{r.randrange(999)}@contoso.test>: Relay access denied; from=<bulk@fabrikam.test> "
                       f"to=<x@contoso.test> proto=ESMTP helo=<fabrikam.test>")
            else:
                txt = (f"450 4.7.1 Client host rejected: cannot find your reverse hostname, [{ip}]; "
                       f"from=<news@fabrikam.test> to=<{r.choice(self.local)}> proto=ESMTP helo=<mail.fabrikam.test>")
            add(t + 800, f"postfix/smtpd[{spid}]: NOQUEUE: reject: RCPT from unknown[{ip}]: {txt}")
            add(t + 900, f"postfix/smtpd[{spid}]: disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4")
            return
        if x < 0.07:       # foreign / informational lines
            y = r.random()
            if y < 0.5:
                add(t, f"dovecot: imap-login: Login: user=<{r.choice(self.local)}>, method=PLAIN, rip=192.0.2.40, "
                       f"lip=192.0.2.10, mpid={30000 + r.randrange(9999)}, TLS, session=<kH3p1xsGqJTAAAAo>")
            elif y < 0.75:
                add(t, f"postfix/smtpd[{self.pid()}]: warning: hostname mail.fabrikam.test does not resolve to "
                       f"address 198.51.100.200: Name or service not known")
            else:
                add(t, f"postfix/anvil[{self.pid()}]: statistics: max connection rate 2/60s for "
                       f"(smtp:203.0.113.99) at {syslog_time((t - 300000) // 1000)}")
            return
        qid = self.qid(51)
        mid = f"<{time.strftime('%Y%m%d%H%M%S', time.gmtime(t // 1000))}.{qid}@mailhost.example.com>"
        cpid = self.pid()
        if x < 0.15:       # local pickup (cron)
            sender = "cron@mailhost.example.com"
            add(t, f"postfix/pickup[{self.pid()}]: {qid}: uid=1001 from=<cron>")
        else:
            host, ip = r.choice(self.clients[:22])
            spid = self.pid()
            add(t, f"postfix/smtpd[{spid}]: connect from {host}[{ip}]")
            add(t + 20, f"postfix/smtpd[{spid}]: {qid}: client={host}[{ip}]")
            sender = r.choice(self.local)
            add(t + 300, f"postfix/smtpd[{spid}]: disconnect from {host}[{ip}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
            if r.random() < 0.5:
                mid = f"<{hexid(self.n, 8, 52, upper=False)}@{host if host != 'unknown' else 'example.com'}>"
        size = 1000 + int(r.expovariate(1 / 30000))
        k = self.rcpt_count()
        add(t + 40, f"postfix/cleanup[{cpid}]: {qid}: message-id={mid}")
        add(t + 60, f"postfix/qmgr[{self.qmgr}]: {qid}: from=<{sender}>, size={size}, nrcpt={k} (queue active)")
        y = r.random()
        local_dest = y < 0.25
        if local_dest:
            rcpts = r.sample(self.local, k)
        else:
            dom, mx, mxip, _ = self.pick_remote()
            rcpts = r.sample(self.remote_by_domain[dom], k)
        end = t + 100
        if local_dest:
            for a in rcpts:
                d = 0.01 + r.random() * 0.05
                add(end, f"postfix/local[{self.pid()}]: {qid}: to=<{a}>, relay=local, delay={d:.2g}, "
                         f"delays=0.01/0/0/{d:.2g}, dsn=2.0.0, status=sent (delivered to mailbox)")
            add(end + 5, f"postfix/qmgr[{self.qmgr}]: {qid}: removed")
            return
        spid = self.pid()
        relay = f"{mx}[{mxip}]:25"
        if y < 0.90:       # sent
            for a in rcpts:
                c, dd = r.random() * 0.5, r.random() * 0.9
                dl = 0.1 + c + dd
                end += int(dl * 1000)
                add(end, f"postfix/smtp[{spid}]: {qid}: to=<{a}>, relay={relay}, delay={dl:.2g}, "
                         f"delays=0.1/0/{c:.2g}/{dd:.2g}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {self.qid(53)})")
            add(end + 2, f"postfix/qmgr[{self.qmgr}]: {qid}: removed")
            return
        if y < 0.93:       # bounced, with NDR
            a = rcpts[0]
            end += 900
            add(end, f"postfix/smtp[{spid}]: {qid}: to=<{a}>, relay={relay}, delay=0.9, delays=0.03/0.01/0.5/0.36, "
                     f"dsn=5.1.1, status=bounced (host {mx}[{mxip}] said: 550 5.1.1 <{a}>: Recipient address rejected: "
                     f"User unknown in virtual mailbox table (in reply to RCPT TO command))")
            self.ndr(end, qid, sender)
            return
        # deferred: retried, then sent or (1 in 5) expired after maximal_queue_lifetime
        expire = y >= 0.988
        reasons = [
            (f"relay=none", "4.4.1", f"connect to {mx}[{mxip}]:25: Connection timed out"),
            (f"relay=none", "4.4.1", f"connect to {mx}[{mxip}]:25: Connection refused"),
            (f"relay={relay}", "4.2.0", f"host {mx}[{mxip}] said: 450 4.2.0 <{rcpts[0]}>: Recipient address rejected: "
                                        f"Greylisted, see http://postgrey.example.com/help/{mx}.html (in reply to RCPT TO command)"),
            (f"relay=none", "4.4.3", f"Host or domain name not found. Name service error for name={mx} type=MX: "
                                     f"Host not found, try again"),
        ]
        rel, dsn, why = r.choice(reasons)
        tt = end + 30000 if "timed out" in why else end + 1000
        backoff = 300 * SEC
        tries = 0
        while True:
            delay = (tt - t) / 1000
            prog = "smtp" if tries == 0 or dsn != "4.4.1" else "error"
            text = why if prog == "smtp" else f"delivery temporarily suspended: {why}"
            for a in rcpts:
                add(tt, f"postfix/{prog}[{self.pid()}]: {qid}: to=<{a}>, {rel}, delay={delay:.0f}, "
                        f"delays={delay - 0.5:.0f}/0.01/0.5/0, dsn={dsn}, status=deferred ({text})")
            tries += 1
            tt += backoff + r.randrange(60 * SEC)
            backoff = min(backoff * 2, 4000 * SEC)
            if expire and tt - t >= self.LIFETIME:
                tt = t + self.LIFETIME + r.randrange(10 * MINUTE)
                add(tt, f"postfix/qmgr[{self.qmgr}]: {qid}: from=<{sender}>, status=expired, returned to sender")
                self.ndr(tt, qid, sender)
                return
            if not expire and tries >= 1 + r.randrange(3):
                break
        delay = (tt - t) / 1000
        for a in rcpts:
            add(tt, f"postfix/smtp[{self.pid()}]: {qid}: to=<{a}>, relay={relay}, delay={delay:.0f}, "
                    f"delays={delay - 1:.0f}/0.02/0.4/0.31, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {self.qid(54)})")
        add(tt + 2, f"postfix/qmgr[{self.qmgr}]: {qid}: removed")

    def ndr(self, t, qid, sender):
        nq = self.qid(55)
        add = self.tl.add
        add(t + 1, f"postfix/cleanup[{self.pid()}]: {nq}: message-id=<{time.strftime('%Y%m%d%H%M%S', time.gmtime(t // 1000))}.{nq}@mailhost.example.com>")
        add(t + 2, f"postfix/bounce[{self.pid()}]: {qid}: sender non-delivery notification: {nq}")
        add(t + 3, f"postfix/qmgr[{self.qmgr}]: {nq}: from=<>, size={3000 + self.rng.randrange(5000)}, nrcpt=1 (queue active)")
        add(t + 4, f"postfix/qmgr[{self.qmgr}]: {qid}: removed")
        if sender.endswith("@example.com"):
            add(t + 30, f"postfix/local[{self.pid()}]: {nq}: to=<{sender}>, relay=local, delay=0.03, "
                        f"delays=0/0/0/0.03, dsn=2.0.0, status=sent (delivered to mailbox)")
        else:
            add(t + 30, f"postfix/local[{self.pid()}]: {nq}: to=<cron@mailhost.example.com>, orig_to=<cron>, relay=local, "
                        f"delay=0.03, delays=0/0/0/0.03, dsn=2.0.0, status=sent (delivered to mailbox)")
        add(t + 31, f"postfix/qmgr[{self.qmgr}]: {nq}: removed")


CLASSES = {
    "exchange-message-tracking-csv": TrackingCSV,
    "exchange-smtp-protocol": SmtpProtocol,
    "exchange-connectivity": Connectivity,
    "exo-message-trace-json": ExoTraceJSON,
    "exo-message-trace-csv": ExoTraceCSV,
    "exo-message-trace-detail": ExoTraceDetail,
    "exo-historical-extended": ExoExtended,
    "exo-historical-enhanced-summary": ExoEnhancedSummary,
    "postfix": Postfix,
}


def generate(fmt, target, out_path, seed, start_ms):
    cls = CLASSES[fmt]
    rng = random.Random(f"{fmt}:{seed}")
    out = Out(out_path, cls.encoding, target, cls.bom)
    g = cls(rng, start_ms, out)
    g.header()
    tl = g.tl
    # Time advances with the bytes written: the file spans about SPAN.
    scale = SPAN / target
    base = start_ms + 60 * SEC
    size = out.size
    group = g.group
    rand = rng.random
    while True:
        s = size()
        if s >= target:
            break
        t = base + int(s * scale) + int(rand() * 200)
        group(t)
        if tl is not None:
            tl.release(t)
    g.finish()
    out.close()
    return {"bytes": out.bytes, "records": out.records}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--format", metavar="NAME", help="one of: " + ", ".join(FORMATS))
    ap.add_argument("--bytes", metavar="N", default="500M", help="about N bytes (suffix K/M/G/T, binary; default 500M)")
    ap.add_argument("--out", metavar="FILE", help="output file")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--year", type=int, default=2026, help="year of the first day (default 2026; times start YEAR-11-02)")
    ap.add_argument("--list", action="store_true", help="print the format names and exit")
    args = ap.parse_args(argv)
    if args.list:
        print("\n".join(FORMATS))
        return 0
    if args.format not in FORMATS:
        ap.error(f"--format: expected one of {', '.join(FORMATS)}")
    if not args.out:
        ap.error("--out FILE is required")
    try:
        target = parse_size(args.bytes)
    except ValueError:
        ap.error(f"--bytes: cannot read {args.bytes!r} (examples: 500M, 20M, 1G, 5000000)")
    start_ms = calendar.timegm((args.year, 11, 2, 0, 0, 0)) * 1000
    t0 = time.perf_counter()
    if args.format == "exchange-message-tracking":
        gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen-tracking-log.py")
        res = subprocess.run([sys.executable, gen, "--bytes", str(target), "--out", args.out,
                              "--seed", str(args.seed), "--start", f"{args.year}-11-02"],
                             check=True, capture_output=True, text=True)
        info = json.loads(res.stdout.strip().splitlines()[-1])
        result = {"bytes": info["bytes"], "records": info["records"]}
    else:
        result = generate(args.format, target, args.out, args.seed, start_ms)
    result = {"format": args.format, **result, "seconds": round(time.perf_counter() - t0, 1)}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
