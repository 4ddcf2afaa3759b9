#!/usr/bin/env python3
"""Generate Exchange Server 2019 message tracking logs (MSGTRK*.LOG) for mailflow.

Deterministic: the output depends only on the seed and the arguments (no wall
clock, no hash randomisation, no os.urandom). Python 3 standard library only.

Two modes:

  gen-tracking-log.py --sample DIR [--seed S]
      Seven days of logs, 2026-11-16 .. 2026-11-22 (UTC), one file per day
      (MSGTRK20261116-1.LOG ...), that tell a story: normal traffic through four
      Send connectors, a DNS outage at the Fabrikam partner, a firewall that
      refuses connections to the Contoso smart host from Thursday on (messages
      expire after 2 days), a TLS certificate problem on the Litware connector,
      unknown recipients and typo domains that expire with 5.4.300. Also writes
      DIR/EXPECTED.json, the ground truth counted while generating (not by
      parsing the files).

  gen-tracking-log.py --bytes N --out FILE [--seed S] [--start YYYY-MM-DD]
      About N bytes (suffixes K, M, G, T: binary multiples, 1G = 1073741824)
      of the same traffic mix in one file, fast (about 36 s per GiB on a
      2-core Xeon), spread over about 7 days from --start. Prints one JSON line {"bytes": ..., "records": ..., "events": ...}
      where events = records x recipients (a record without recipient counts 1).

Format (Exchange 2016/2019 message tracking, see shared/reference/formats.md 1):
UTF-8 with BOM, CRLF, `#` header block, 30 fields, times yyyy-MM-ddTHH:mm:ss.fffZ
(UTC). A field holding `,` or `"` is wrapped in `"` with `""` doubling; a
recipient-status member holding `;` or `'` is wrapped in `'` with `''` doubling;
recipients are `;`-joined and paired by position with their statuses.
Only documentation names and addresses are used (example.com, *.test,
192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24).
"""

import argparse
import calendar
import heapq
import json
import os
import random
import sys
import time

# ---------------------------------------------------------------------------
# Constants of the simulated organisation

VERSION = "15.02.1544.004"
FIELDS = ("date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,"
          "connector-id,source,event-id,internal-message-id,message-id,network-message-id,"
          "recipient-address,recipient-status,total-bytes,recipient-count,"
          "related-recipient-address,reference,message-subject,sender-address,return-path,"
          "message-info,directionality,tenant-id,original-client-ip,original-server-ip,"
          "custom-data,transport-traffic-type,log-id,schema-version")
assert len(FIELDS.split(",")) == 30

SERVER = "EX19-01"
SERVER_FQDN = "EX19-01.example.com"
SERVER_IP = "192.0.2.10"
LOCAL_DOMAIN = "example.com"
RECEIVE_CONNECTOR = "EX19-01\\Default EX19-01"
NDR_SENDER = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com"
CUSTOM = "S:DeliveryPriority=Normal;S:AccountForest=example.com"
CUSTOM_AGENT = "S:CompCost=|ETR=0;S:DeliveryPriority=Normal;S:AccountForest=example.com"

MINUTE = 60_000
HOUR = 3_600_000
DAY = 86_400_000
EXPIRY_MS = 2 * DAY   # MessageExpirationTimeout default (Set-TransportService)

LOCAL_USERS = [
    "alice", "ben", "carol", "chloe", "david", "emma", "felix", "frank", "grace", "henry",
    "irene", "ivy", "jonas", "kate", "lena", "marco", "mike", "nora", "oscar", "paula",
    "quinn", "rita", "sam", "tina", "uma", "victor", "wendy", "xavier", "yara", "zoe",
    "helpdesk", "invoices", "hr", "sales",
]
REMOTE_USERS = [
    "bob", "dan", "gina", "hank", "jack", "leo", "mia", "noah", "olga", "pete", "ruth",
    "sara", "tom", "vera", "will", "info", "orders", "support", "accounts", "j.smith",
    "m.mueller", "a.dubois", "k.tanaka", "r.oconnor", "s.nakamura",
]
SUBJECTS = [
    "Contract renewal 2027", "Invoice 4711, 4712, and 4713", 'Re: "Q4 forecast" review',
    "Weekly status", "Purchase order 2026-118", "Meeting notes", "RE: Delivery schedule",
    "FW: Site visit; agenda attached", "Angebot für Projekt Nordlicht", "Réunion de lancement – lundi",
    "O'Brien account, open items", "Quarterly report Q3/2026", "Price list update", "Re: Re: Shipment #5521",
    "Your ticket HD-20931 has been updated", "Training dates (December)", "Reminder: timesheets due Friday",
    "Draft agreement v3", "RE: NDA, signed copy", "Payment confirmation", "Onboarding checklist",
    "Change request CR-0457", "Budget 2027 - first draft", "Lunch & learn: SQL basics",
    "Scan from MFP-2F", "Out of office: back on Monday", "Invitation: project kick-off",
    "Accepted: Weekly sync", "Tentative: Design review", "Re: \"urgent\" - server room access",
    "Minutes, board meeting 11/2026", "Samples returned", "Credit note 88-201", "Order confirmation 77120",
    "Warehouse inventory", "見積書の送付", "Travel booking: Oslo", "Re: Can you call me?",
    "FYI", "Test", "Customs documents, shipment 5521", "Customer feedback survey",
    "Holiday schedule", "Re: spec sheet (rev. B)", "Password expiry notice",
]

# Send connectors. A smart host connector names its next hop; Outbound to Internet
# resolves MX records (per domain host below).
CONNECTORS = {
    "internet": ("Outbound to Internet", None, None),
    "fabrikam": ("To Partner Fabrikam", "relay.fabrikam.test", "203.0.113.25"),
    "contoso": ("To Contoso Smart Host", "mx1.contoso.test", "198.51.100.7"),
    "litware": ("To Litware Secure", "mail.litware.test", "203.0.113.40"),
}
# domain -> (connector key, MX/next hop, IP, remote software style)
DOMAINS = {
    "fabrikam.test": ("fabrikam", "relay.fabrikam.test", "203.0.113.25", "exchange"),
    "contoso.test": ("contoso", "mx1.contoso.test", "198.51.100.7", "postfix"),
    "litware.test": ("litware", "mail.litware.test", "203.0.113.40", "exchange"),
    "northwind.test": ("internet", "mx.northwind.test", "203.0.113.50", "exchange"),
    "adatum.test": ("internet", "mail.adatum.test", "203.0.113.61", "exchange"),
    "woodgrove.test": ("internet", "mx1.woodgrove.test", "198.51.100.30", "postfix"),
    "tailspintoys.test": ("internet", "mx.tailspintoys.test", "198.51.100.44", "exchange"),
    "proseware.test": ("internet", "smtp.proseware.test", "203.0.113.77", "postfix"),
    "wingtiptoys.test": ("internet", "mx.wingtiptoys.test", "198.51.100.52", "exchange"),
}
INTERNET_DOMAINS = ["northwind.test", "adatum.test", "woodgrove.test", "tailspintoys.test",
                    "proseware.test", "wingtiptoys.test"]
# Mistyped domains: no such domain, so DNS says NXDOMAIN until the message expires.
TYPO_DOMAINS = ["contosso.test", "fabrikan.test", "northwnd.test"]

# Traffic mix per mode: share of message types and outbound destination weights.
MIX = {
    "sample": {"outbound": 0.52, "inbound": 0.40, "internal": 0.08,
               "dest": {"internet": 0.48, "fabrikam": 0.24, "contoso": 0.09, "litware": 0.19},
               "typo": 0.0},
    "bulk": {"outbound": 0.50, "inbound": 0.42, "internal": 0.08,
             "dest": {"internet": 0.755, "fabrikam": 0.12, "contoso": 0.025, "litware": 0.10},
             "typo": 0.0006},
}

# Incidents, relative to the start of the first day (2026-11-16 00:00Z in --sample).
INCIDENTS = {
    # Fabrikam's DNS cannot resolve relay.fabrikam.test (Tuesday morning).
    "fabrikam_dns": (1 * DAY + 9 * HOUR + 40 * MINUTE, 1 * DAY + 14 * HOUR + 25 * MINUTE),
    # Litware connector after our certificate renewal: TlsCertificateName points to the old cert.
    "litware_cert": (2 * DAY + 6 * HOUR + 5 * MINUTE, 2 * DAY + 11 * HOUR + 50 * MINUTE),
    # Litware maintenance: their server stops offering STARTTLS (Saturday afternoon).
    "litware_starttls": (5 * DAY + 14 * HOUR + 0 * MINUTE, 5 * DAY + 20 * HOUR + 30 * MINUTE),
    # A firewall change refuses port 25 to the Contoso smart host from Thursday on, never fixed.
    "contoso_firewall": (3 * DAY + 10 * HOUR + 12 * MINUTE, 10 ** 15),
}

# Arrival profile: messages per hour at scale 1 (weekday UTC hours; weekends are 20 %).
HOURLY = [0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 2.0, 5.0, 8.0, 9.0, 9.0, 8.5,
          6.5, 8.0, 8.5, 8.0, 6.5, 4.5, 2.5, 1.6, 1.2, 1.0, 0.9, 0.7]
WEEKEND_FACTOR = 0.2


# ---------------------------------------------------------------------------
# Status conditions

class Cond:
    """A delivery condition: the LED text Exchange logs and the codes it carries.

    reply/enhanced are the outer codes (first reply + enhanced pair of the first
    ` -> ` segment); root is the innermost real cause (wrappers 4.4.7, 5.4.300,
    4.4.397 ... skipped), as defined in shared/corpus/README.md C1 and RC1.
    """
    __slots__ = ("name", "led", "source", "reply", "enhanced", "root", "retry", "expiry_led",
                 "per_rcpt", "codes")

    def __init__(self, name, led, source, reply, enhanced, root, retry, expiry_led=None):
        self.name = name
        self.led = led
        self.source = source
        self.reply = reply
        self.enhanced = enhanced
        self.root = root
        self.retry = retry          # "fast" | "escalate" | "transient"
        self.expiry_led = expiry_led
        self.per_rcpt = "{rcpt}" in led
        self.codes = (reply, enhanced, root)


C_DNS_RETRY = Cond("dns-retry",
                   "451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry",
                   "DNS", 451, "4.4.0", "4.4.0", "fast")
C_DNS_NX = Cond("dns-nxdomain",
                "451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; nonexistent domain",
                "DNS", 451, "4.4.0", "4.4.0", "escalate",
                expiry_led="550 5.4.300 Message expired -> 451 4.4.0 DNS query failed. The error was: "
                           "SMTPSEND.DNS.NonExistentDomain; nonexistent domain")
C_REFUSED = Cond("refused",
                 '441 4.4.1 Error encountered while communicating with primary target IP address: '
                 '"Failed to connect. Winsock error code: 10061, Win32 error code: 10061." Attempted '
                 'failover to alternate host, but that did not succeed. Either there are no alternate '
                 'hosts, or delivery failed to all alternate hosts. The last endpoint attempted was '
                 '198.51.100.7:25',
                 "SMTP", 441, "4.4.1", "4.4.1", "escalate")
C_CERT = Cond("tls-cert",
              "454 4.7.5 The certificate specified in TlsCertificateName of the SendConnector could not be found.",
              "SMTP", 454, "4.7.5", "4.7.5", "fast")
C_STARTTLS = Cond("starttls", "451 5.7.3 STARTTLS is required to send mail",
                  "SMTP", 451, "5.7.3", "5.7.3", "fast")
# Occasional transient replies of single messages.
TRANSIENTS = [
    Cond("timeout", "451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to TimedOut",
         "SMTP", 451, "4.4.397", "4.4.2", "transient"),
    Cond("greylist", "450 4.7.1 <{rcpt}>: Recipient address rejected: Greylisted, please try again later",
         "SMTP", 450, "4.7.1", "4.7.1", "transient"),
    Cond("rate", "450 4.2.1 The recipient is receiving mail too quickly, try again later",
         "SMTP", 450, "4.2.1", "4.2.1", "transient"),
    Cond("quota", "452 4.2.2 Mailbox full, the recipient's quota is exceeded",
         "SMTP", 452, "4.2.2", "4.2.2", "transient"),
    Cond("busy", "421 4.7.0 Temporary System Problem. Try again later.",
         "SMTP", 421, "4.7.0", "4.7.0", "transient"),
]
TRANSIENT_WEIGHTS = [3, 3, 1, 1, 2]
# Permanent rejections of single recipients (per remote software style).
PERMANENT = {
    "postfix": [Cond("unknown-virtual", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table",
                     "SMTP", 550, "5.1.1", "5.1.1", None),
                Cond("unknown-local", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table",
                     "SMTP", 550, "5.1.1", "5.1.1", None)],
    "exchange": [Cond("resolver", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient {rcpt} not found by SMTP address lookup",
                      "SMTP", 550, "5.1.10", "5.1.10", None),
                 Cond("disabled", "550 5.2.1 The email account that you tried to reach is disabled.",
                      "SMTP", 550, "5.2.1", "5.2.1", None)],
}
EXPIRED_447 = "550 4.4.7 QUEUE.Expired; message expired"


# ---------------------------------------------------------------------------
# Text helpers

def csvq(s):
    """CSV-escape one field: wrap in double quotes when it holds `,` or `"`."""
    if "," in s or '"' in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def memq(s):
    """Escape one recipient-status member: single-quote it when it holds `;` or `'`."""
    if ";" in s or "'" in s:
        return "'" + s.replace("'", "''") + "'"
    return s


_DAYSTR = {}
_LRTDAY = {}


def _day(d):
    s = _DAYSTR.get(d)
    if s is None:
        tm = time.gmtime(d * 86400)
        s = "%04d-%02d-%02d" % (tm.tm_year, tm.tm_mon, tm.tm_mday)
        _DAYSTR[d] = s
        _LRTDAY[d] = "%d/%d/%04d" % (tm.tm_mon, tm.tm_mday, tm.tm_year)
    return s


def iso(ms):
    """Milliseconds since the epoch -> 2026-11-16T08:30:15.120Z."""
    s, f = divmod(ms, 1000)
    d, r = divmod(s, 86400)
    h, r = divmod(r, 3600)
    m, sec = divmod(r, 60)
    ds = _DAYSTR.get(d) or _day(d)
    return f"{ds}T{h:02d}:{m:02d}:{sec:02d}.{f:03d}Z"


def lrt(ms):
    """Milliseconds since the epoch -> en-US LRT text, e.g. 11/1/2026 8:30:16 AM."""
    s = ms // 1000
    d, r = divmod(s, 86400)
    h, r = divmod(r, 3600)
    m, sec = divmod(r, 60)
    if d not in _LRTDAY:
        _day(d)
    h12 = h % 12 or 12
    return f"{_LRTDAY[d]} {h12}:{m:02d}:{sec:02d} {'AM' if h < 12 else 'PM'}"


def parse_size(text):
    """'1G' -> 1073741824; suffixes K, M, G, T (binary), optional B or iB; plain digits are bytes."""
    t = text.strip().upper()
    if t.endswith("IB"):
        t = t[:-2]
    elif t.endswith("B"):
        t = t[:-1]
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if t and t[-1] in mult:
        return int(float(t[:-1]) * mult[t[-1]])
    return int(t)


def header(date_ms):
    return ("\ufeff#Software: Microsoft Exchange Server\r\n"
            f"#Version: {VERSION}\r\n"
            "#Log-type: Message Tracking Log\r\n"
            f"#Date: {iso(date_ms)}\r\n"
            f"#Fields: {FIELDS}\r\n")


# ---------------------------------------------------------------------------
# The simulator

class Msg:
    __slots__ = ("ids", "size", "nr", "subj3", "sender", "subject", "mid", "t0", "dirn")


class Sim:
    """Simulates one Exchange 2019 transport server; every row of every message goes through put().

    track=True (--sample) keeps the rows with their ground truth for EXPECTED.json;
    track=False (--bytes) keeps only (time, line, events) in a heap, written in time order.
    """

    def __init__(self, seed, start_ms, end_ms, mode, track):
        self.rng = random.Random(seed)
        self.end = end_ms
        self.mix = MIX[mode]
        self.track = track
        self.seq = 0
        self.iid = 12884901889
        self.session = 0x08DE1A2B3C4D0000
        self.logbase = self.rng.getrandbits(32)
        self.logn = 0
        self.rows = []          # track mode: (t, seq, line, meta)
        self.heap = []          # bulk mode: (t, seq, line, nevents)
        self.expired = []       # track mode: expiry ground truth
        inc = {k: (start_ms + a, start_ms + b) for k, (a, b) in INCIDENTS.items()}
        self.dns = inc["fabrikam_dns"]
        self.cert = inc["litware_cert"]
        self.starttls = inc["litware_starttls"]
        self.firewall = inc["contoso_firewall"]
        dest = self.mix["dest"]
        self.dest_keys = list(dest)
        self.dest_cum = []
        acc = 0.0
        for k in self.dest_keys:
            acc += dest[k]
            self.dest_cum.append(acc)
        self.subjects = [(s, csvq(s)) for s in SUBJECTS]

    # -- ids ---------------------------------------------------------------
    def logid(self):
        self.logn += 1
        n = self.logn
        b = self.logbase
        return (f"{(b + n * 0x9E3779B1) & 0xffffffff:08x}-{(n >> 4) & 0xffff:04x}-"
                f"4{n & 0xfff:03x}-8e{(b >> 8) & 0xff:02x}-08de{(b + n) & 0xffffffff:08x}")

    def guid(self):
        r = self.rng.getrandbits(80)
        return (f"{r >> 48:08x}-{(r >> 32) & 0xffff:04x}-{0x4000 | ((r >> 20) & 0xfff):04x}-"
                f"{0x8000 | ((r >> 6) & 0x3fff):04x}-08de{self.rng.getrandbits(32):08x}")

    def new_msg(self, t0, sender, rcpts, subject, subj_q, host, direction):
        rng = self.rng
        m = Msg()
        self.iid += rng.randint(1, 9)
        mid = f"<{rng.getrandbits(128):032x}@{host}>"
        m.mid = mid
        m.ids = f"{self.iid},{mid},{self.guid()}"
        size = int(rng.lognormvariate(9.9, 1.0))
        if size < 1800:
            size = 1800 + size
        if size > 35_000_000:
            size = 35_000_000
        m.size = size
        m.nr = len(rcpts)
        m.sender = sender
        m.subject = subject
        m.subj3 = f"{subj_q},{sender},{sender}"
        m.t0 = t0
        m.dirn = direction
        return m

    # -- output ------------------------------------------------------------
    def put(self, t, line, kind, conn, rcpts, codes, m):
        """One row. codes: per-recipient (reply, enhanced, root) for deferred/failed/expired."""
        self.seq += 1
        if self.track:
            self.rows.append((t, self.seq, line, (kind, conn, rcpts, codes, m.mid)))
        else:
            heapq.heappush(self.heap, (t, self.seq, line, len(rcpts) or 1))

    def row(self, t, pre, sctx, conn, source, event, m, rcpt_f, status_f, ref, info, orig, custom):
        return (f"{iso(t)},{pre},{sctx},{conn},{source},{event},{m.ids},{rcpt_f},{status_f},"
                f"{m.size},{m.nr},,{ref},{m.subj3},{info},{m.dirn},,{orig},{custom},Email,"
                f"{self.logid()},{VERSION}\r\n")

    # -- building blocks -------------------------------------------------
    def pick_subject(self):
        return self.subjects[self.rng.randrange(len(self.subjects))]

    def pick_rcpt_count(self):
        x = self.rng.random()
        return 1 if x < 0.82 else 2 if x < 0.93 else 3 if x < 0.98 else 5

    def session_ctx(self, t):
        self.session += self.rng.randint(1, 4)
        return f"{self.session:016X};{iso(t - self.rng.randint(20, 400))};0"

    def receive(self, m, t, rcpts, incoming, client_ip, client_host):
        rng = self.rng
        if incoming:
            pre = f"{client_ip},{client_host},{SERVER_IP},{SERVER}"
            info, orig = "0cA: ", f"{client_ip},{SERVER_IP}"
        else:
            pre = f"{SERVER_IP},{SERVER_FQDN},{SERVER_IP},{SERVER}"
            info, orig = "04I: ", f"{SERVER_IP},{SERVER_IP}"
        tags = "To" if len(rcpts) == 1 else ";".join(["To"] + ["Cc" if rng.random() < 0.5 else "To"
                                                               for _ in rcpts[1:]])
        line = self.row(t, pre, self.session_ctx(t), RECEIVE_CONNECTOR, "SMTP", "RECEIVE", m,
                        ";".join(rcpts), tags, "", info, orig, CUSTOM)
        self.put(t, line, "received", RECEIVE_CONNECTOR, rcpts, None, m)

    def agent_rows(self, m, t, rcpts, allow_rule):
        """AGENTINFO, transport-rule zero defer and HAREDIRECTFAIL noise after RECEIVE."""
        rng = self.rng
        rf = ";".join(rcpts)
        x = rng.random()
        if x < 0.35:
            t += rng.randint(5, 40)
            self.put(t, self.row(t, f",,,{SERVER}", "", "", "AGENT", "AGENTINFO", m, rf, "", "", "",
                                 ",", CUSTOM_AGENT), "other", None, rcpts, None, m)
        if allow_rule and rng.random() < 0.03:
            t += rng.randint(50, 300)
            self.put(t, self.row(t, f",,,{SERVER}", "Transport Rule Agent", "", "AGENT", "DEFER", m, rf, "",
                                 "", "", ",", CUSTOM), "other", None, rcpts, None, m)
        if rng.random() < 0.01:
            t += rng.randint(5, 20)
            self.put(t, self.row(t, f",,,{SERVER}", "No suitable shadow servers", "", "SMTP",
                                 "HAREDIRECTFAIL", m, rf, "", "", "", ",", CUSTOM), "other", None, rcpts,
                     None, m)
        return t

    def deliver(self, m, t, rcpts):
        rng = self.rng
        hub = rng.uniform(0.15, 2.5)
        info = (f"{iso(m.t0 - rng.randint(10, 60))};SRV={SERVER_FQDN}:TOTAL-HUB={hub:.3f}|"
                f"SMR={rng.uniform(0.05, 0.2):.3f}|SMSC={rng.uniform(0.05, 0.3):.3f}|"
                f"MDNT={rng.uniform(0.02, 0.2):.3f}")
        custom = f"S:DatabaseName=DB0{1 + rng.randrange(4)};{CUSTOM}"
        line = self.row(t, f",{SERVER},,{SERVER_FQDN}", "", "", "STOREDRIVER", "DELIVER", m,
                        ";".join(rcpts), "", "", info, ",", custom)
        self.put(t, line, "delivered", None, rcpts, None, m)

    def bracket(self, led, fqdn, ip, t):
        return f"[{{LED={led}}};{{MSG=}};{{FQDN={fqdn}}};{{IP={ip}}};{{LRT={lrt(t)}}}]"

    def ndr(self, m, t, status_members, rcpts):
        """DSN row for the original message, then the NDR delivered to the sender."""
        rng = self.rng
        t += rng.randint(30, 90)
        dsn_id = f"<{rng.getrandbits(128):032x}@{SERVER_FQDN}>"
        status_f = csvq(";".join(memq(s) for s in status_members))
        self.put(t, self.row(t, f",,,{SERVER}", "", "", "DSN", "DSN", m, ";".join(rcpts), status_f,
                             dsn_id, "", ",", CUSTOM), "dsn", None, rcpts, None, m)
        if m.sender.endswith("@" + LOCAL_DOMAIN):
            t += rng.randint(150, 900)
            subj = "Undeliverable: " + m.subject
            n = Msg()
            self.iid += rng.randint(1, 3)
            n.mid = dsn_id
            n.ids = f"{self.iid},{dsn_id},{self.guid()}"
            n.size = 8000 + m.size // 50 if m.size < 2_000_000 else 12000 + rng.randint(0, 4000)
            n.nr = 1
            n.sender = NDR_SENDER
            n.subject = subj
            n.subj3 = f"{csvq(subj)},{NDR_SENDER},<>"
            n.t0 = t
            n.dirn = "Originating"
            self.deliver(n, t, [m.sender])
        return t

    # -- message types ----------------------------------------------------
    def outbound(self, t0, domain=None, nrcpt=None, force_reject=False):
        rng = self.rng
        if domain is None:
            if rng.random() < self.mix["typo"]:
                domain = TYPO_DOMAINS[rng.randrange(len(TYPO_DOMAINS))]
            else:
                x = rng.random()
                key = self.dest_keys[-1]
                for k, c in zip(self.dest_keys, self.dest_cum):
                    if x < c:
                        key = k
                        break
                if key == "internet":
                    domain = INTERNET_DOMAINS[rng.randrange(len(INTERNET_DOMAINS))]
                else:
                    domain = key + ".test"
        if domain in DOMAINS:
            ckey, host, ip, style = DOMAINS[domain]
        else:
            ckey, host, ip, style = "internet", domain, "", "none"
        conn = CONNECTORS[ckey][0]
        n = nrcpt or self.pick_rcpt_count()
        users = rng.sample(REMOTE_USERS, n)
        rcpts = [f"{u}@{domain}" for u in users]
        sender = f"{LOCAL_USERS[rng.randrange(len(LOCAL_USERS))]}@{LOCAL_DOMAIN}"
        subject, subj_q = self.pick_subject()
        m = self.new_msg(t0, sender, rcpts, subject, subj_q, SERVER_FQDN, "Originating")
        self.receive(m, t0, rcpts, False, None, None)
        t = self.agent_rows(m, t0, rcpts, True)
        ta = t + rng.randint(300, 2500)
        transient = None
        if ckey == "internet" and rng.random() < 0.035 or rng.random() < 0.01:
            transient = rng.choices(TRANSIENTS, TRANSIENT_WEIGHTS)[0]
            tries = 1 if rng.random() < 0.7 else 2
        attempts = 0
        last = None
        last_t = 0
        while True:
            if ta >= t0 + EXPIRY_MS:
                tf = t0 + EXPIRY_MS + rng.randint(200, 90_000)
                if tf >= self.end:
                    return
                self.expire(m, tf, rcpts, conn, last, host, last_t, attempts)
                return
            if ta >= self.end:
                return
            cond = self.condition(ckey, domain, ta)
            if cond is None and transient is not None and attempts < tries:
                cond = transient
            if cond is not None:
                self.defer(m, ta, rcpts, conn, cond, host, ip)
                attempts += 1
                last, last_t = cond, ta
                ta += self.retry_after(cond, attempts)
                continue
            self.send(m, ta, rcpts, conn, host, ip, style, attempts, force_reject)
            return

    def condition(self, ckey, domain, t):
        if ckey == "internet":
            return C_DNS_NX if domain in TYPO_DOMAINS else None
        if ckey == "fabrikam":
            a, b = self.dns
            return C_DNS_RETRY if a <= t < b else None
        if ckey == "contoso":
            return C_REFUSED if t >= self.firewall[0] else None
        if ckey == "litware":
            a, b = self.cert
            if a <= t < b:
                return C_CERT
            a, b = self.starttls
            return C_STARTTLS if a <= t < b else None
        return None

    def retry_after(self, cond, attempts):
        rng = self.rng
        if cond.retry == "fast":
            return rng.randint(15 * MINUTE, 60 * MINUTE)
        if cond.retry == "transient":
            return rng.randint(5 * MINUTE, 20 * MINUTE)
        steps = (15, 30, 60, 120)
        if attempts <= len(steps):
            return steps[attempts - 1] * MINUTE + rng.randint(0, 90_000)
        return rng.randint(150 * MINUTE, 240 * MINUTE)

    def defer(self, m, t, rcpts, conn, cond, host, ip):
        ip_f = "" if cond.source == "DNS" else ip
        if cond.per_rcpt:
            members = [self.bracket(cond.led.replace("{rcpt}", r), host, ip_f, t) for r in rcpts]
        else:
            members = [self.bracket(cond.led, host, ip_f, t)] * len(rcpts)
        status_f = csvq(";".join(memq(s) for s in members))
        line = self.row(t, f",,,{SERVER}", "", conn, cond.source, "DEFER", m, ";".join(rcpts), status_f,
                        "", "", ",", CUSTOM)
        self.put(t, line, "deferred", conn, rcpts, [cond.codes] * len(rcpts), m)

    def expire(self, m, t, rcpts, conn, last, host, last_t, attempts):
        if last is not None and last.expiry_led:
            members = [self.bracket(last.expiry_led, host, "", last_t)] * len(rcpts)
            dsn_members = [last.expiry_led] * len(rcpts)
            codes = (550, "5.4.300", last.root)
        else:
            members = [EXPIRED_447] * len(rcpts)
            dsn_members = members
            codes = (550, "4.4.7", last.root if last is not None else "unknown")
        status_f = csvq(";".join(memq(s) for s in members))
        line = self.row(t, f",,,{SERVER}", "", conn, "QUEUE", "FAIL", m, ";".join(rcpts), status_f,
                        "", "", ",", CUSTOM)
        self.put(t, line, "expired", conn, rcpts, [codes] * len(rcpts), m)
        if self.track:
            for r in rcpts:
                self.expired.append({
                    "message_id": m.mid, "recipient": r, "recipient_domain": r.split("@", 1)[1],
                    "connector": conn, "root_cause": codes[2], "enhanced_code": codes[1],
                    "first_seen_utc": iso(m.t0), "expired_utc": iso(t), "deferrals": attempts})
        self.ndr(m, t, dsn_members, rcpts)

    def send(self, m, t, rcpts, conn, host, ip, style, attempts, force_reject=False):
        rng = self.rng
        perm = PERMANENT.get(style)
        bad = []
        ok = rcpts
        if perm:
            p = 0.04 if style == "postfix" else 0.02
            if any(rng.random() < p for _ in rcpts) or force_reject:
                k = rng.randrange(len(rcpts))
                bad = [rcpts[k]]
                ok = rcpts[:k] + rcpts[k + 1:]
        if ok:
            secs = rng.uniform(0.05, 0.6)
            if style == "postfix":
                q = "".join(rng.choice("BCDFGHJKLMNPQRSTVWXYZbcdfghjkmnpqrstvwxyz0123456789") for _ in range(12))
                sctx = f";250 2.0.0 Ok: queued as 4{q};ClientSubmitTime:"
                st = "250 2.1.5 Ok"
            else:
                sctx = csvq(f";250 2.6.0 {m.mid} [InternalId={rng.getrandbits(42)}, Hostname={host}] "
                            f"{m.size} bytes in {secs:.3f}, {m.size / 1024 / secs:.3f} KB/sec "
                            f"Queued mail for delivery;ClientSubmitTime:")
                st = "250 2.1.5 Recipient OK"
            hub = (t - m.t0) / 1000.0
            smr = rng.uniform(0.08, 0.2)
            sms = rng.uniform(0.1, 0.5)
            qde = f"|QDE={hub - smr - sms:.3f}" if attempts else ""
            info = (f"{iso(m.t0 - rng.randint(10, 60))};SRV={SERVER_FQDN}:TOTAL-HUB={hub:.3f}|"
                    f"SMR={smr:.3f}{qde}|SMS={sms:.3f}")
            line = self.row(t, f"{SERVER_IP},{SERVER},{ip},{host}", sctx, conn, "SMTP", "SEND", m,
                            ";".join(ok), ";".join([st] * len(ok)), "", info, ",", CUSTOM)
            self.put(t, line, "sent", conn, ok, None, m)
        if bad:
            t += rng.randint(2, 30)
            r = bad[0]
            cond = perm[0] if force_reject else perm[rng.randrange(len(perm))]
            led = cond.led.replace("{rcpt}", r)
            status_f = csvq(memq(self.bracket(led, host, ip, t)))
            line = self.row(t, f",,,{SERVER}", "", conn, "SMTP", "FAIL", m, r, status_f, "", "", ",", CUSTOM)
            self.put(t, line, "failed", conn, bad, [cond.codes], m)
            self.ndr(m, t, [led], bad)

    def inbound(self, t0, internal=False):
        rng = self.rng
        n = self.pick_rcpt_count()
        rcpts = [f"{u}@{LOCAL_DOMAIN}" for u in rng.sample(LOCAL_USERS, n)]
        subject, subj_q = self.pick_subject()
        if internal:
            sender = f"{LOCAL_USERS[rng.randrange(len(LOCAL_USERS))]}@{LOCAL_DOMAIN}"
            m = self.new_msg(t0, sender, rcpts, subject, subj_q, SERVER_FQDN, "Originating")
            self.receive(m, t0, rcpts, False, None, None)
        else:
            domain = ("fabrikam.test", "contoso.test", "litware.test",
                      *INTERNET_DOMAINS)[rng.randrange(3 + len(INTERNET_DOMAINS))]
            _, host, ip, _ = DOMAINS[domain]
            sender = f"{REMOTE_USERS[rng.randrange(len(REMOTE_USERS))]}@{domain}"
            m = self.new_msg(t0, sender, rcpts, subject, subj_q, host, "Incoming")
            self.receive(m, t0, rcpts, True, ip, host)
        t = self.agent_rows(m, t0, rcpts, internal)
        self.deliver(m, t + rng.randint(150, 2500), rcpts)

    def message(self, t):
        x = self.rng.random()
        mix = self.mix
        if x < mix["outbound"]:
            self.outbound(t)
        elif x < mix["outbound"] + mix["inbound"]:
            self.inbound(t)
        else:
            self.inbound(t, internal=True)

    def arrivals(self, t_from, scale):
        """Yield message arrival times from t_from on (Poisson per hour, weekday profile)."""
        rng = self.rng
        hour_start = t_from - t_from % HOUR
        t = t_from
        while True:
            d = hour_start // DAY
            wd = (d + 3) % 7    # 1970-01-01 was a Thursday; 0 = Monday
            rate = HOURLY[(hour_start % DAY) // HOUR] * (WEEKEND_FACTOR if wd >= 5 else 1.0) * scale
            hour_end = hour_start + HOUR
            if rate > 0:
                while True:
                    t += int(rng.expovariate(rate) * HOUR) + 1
                    if t >= hour_end:
                        break
                    yield t
            hour_start = hour_end
            t = hour_end


# ---------------------------------------------------------------------------
# --sample

SAMPLE_START = calendar.timegm((2026, 11, 16, 0, 0, 0)) * 1000
SAMPLE_DAYS = 7
SAMPLE_SCALE = 1.5


def sort_key(item):
    """Sort (key tuple, count) pairs whose tuples may hold None, ints and strings."""
    return tuple("" if v is None else "%09d" % v if isinstance(v, int) else v for v in item[0])


def run_sample(outdir, seed):
    start = SAMPLE_START
    end = start + SAMPLE_DAYS * DAY
    sim = Sim(seed, start, end, "sample", track=True)
    # Scripted story messages (always present, whatever the random traffic does).
    scripted = [
        (start + 0 * DAY + 10 * HOUR + 14 * MINUTE + 7_311, "contosso.test", 1),   # typo, expires Wed
        (start + 0 * DAY + 14 * HOUR + 22 * MINUTE + 51_090, "contoso.test", -1),  # unknown user (5.1.1)
        (start + 1 * DAY + 10 * HOUR + 2 * MINUTE + 40_210, "fabrikam.test", 2),   # during DNS outage
        (start + 1 * DAY + 15 * HOUR + 2 * MINUTE + 9_877, "fabrikan.test", 1),    # typo, expires Thu
        (start + 2 * DAY + 7 * HOUR + 31 * MINUTE + 12_004, "litware.test", 2),    # cert failure
        (start + 2 * DAY + 9 * HOUR + 5 * MINUTE + 30_777, "contoso.test", -3),    # 1 of 3 unknown
        (start + 3 * DAY + 8 * HOUR + 47 * MINUTE + 3_512, "northwnd.test", 2),    # typo, expires Sat
        (start + 3 * DAY + 11 * HOUR + 5 * MINUTE + 44_018, "contoso.test", 2),    # firewall
        (start + 5 * DAY + 16 * HOUR + 20 * MINUTE + 1_250, "litware.test", 1),    # STARTTLS
    ]
    si = 0
    for t in sim.arrivals(start, SAMPLE_SCALE):
        if t >= end:
            break
        while si < len(scripted) and scripted[si][0] <= t:
            ts, dom, n = scripted[si]     # n < 0: force one unknown recipient
            sim.outbound(ts, dom, abs(n), force_reject=n < 0)
            si += 1
        sim.message(t)
    sim.rows.sort(key=lambda r: (r[0], r[1]))
    rows = [r for r in sim.rows if start <= r[0] < end]

    os.makedirs(outdir, exist_ok=True)
    by_day = {}
    for r in rows:
        by_day.setdefault(r[0] // DAY, []).append(r)

    kinds = {}
    status = {}
    daily = {}
    daily_msgs = {}
    roots = {}
    files = []
    total_events = 0
    for d in sorted(by_day):
        day_rows = by_day[d]
        name = "MSGTRK%s-1.LOG" % _day(d).replace("-", "")
        text = header(day_rows[0][0] - 3) + "".join(r[2] for r in day_rows)
        data = text.encode("utf-8")
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        ev = 0
        for t, _, _, (kind, conn, rcpts, codes, mid) in day_rows:
            n = len(rcpts) or 1
            ev += n
            kinds[kind] = kinds.get(kind, 0) + n
            if codes is not None:
                for reply, enh, root in codes:
                    k = (kind, conn, reply, enh)
                    status[k] = status.get(k, 0) + 1
                    dk = (_day(d), conn, kind, enh)
                    daily[dk] = daily.get(dk, 0) + 1
                    daily_msgs.setdefault(dk, set()).add(mid)
                    roots[root] = roots.get(root, 0) + 1
        total_events += ev
        files.append({"file": name, "bytes": len(data), "records": len(day_rows), "events": ev,
                      "first_utc": iso(day_rows[0][0]), "last_utc": iso(day_rows[-1][0])})

    kind_order = ["received", "submitted", "sent", "delivered", "deferred", "failed", "expired",
                  "dropped", "dsn", "routed", "other"]
    expected = {
        "generator": f"tools/gen-tracking-log.py --sample DIR --seed {seed}",
        "format": "exchange-message-tracking",
        "encoding": "utf-8-bom",
        "compression": "none",
        "files": files,
        "records": len(rows),
        "rejected": 0,
        "issues": [],
        "events": total_events,
        "kinds": {k: kinds[k] for k in kind_order if k in kinds},
        "status": [{"kind": k[0], "connector": k[1], "reply": k[2], "enhanced": k[3], "count": c}
                   for k, c in sorted(status.items(), key=sort_key)],
        "connector_daily": [{"day": k[0], "connector": k[1], "kind": k[2], "enhanced_code": k[3],
                             "events": c, "messages": len(daily_msgs[k])}
                            for k, c in sorted(daily.items(), key=sort_key)],
        "root_causes": dict(sorted(roots.items())),
        "expired": {"messages": len({e["message_id"] for e in sim.expired}),
                    "list": sorted(sim.expired, key=lambda e: (e["expired_utc"], e["message_id"], e["recipient"]))},
        "time_range": {"first": iso(rows[0][0]), "last": iso(rows[-1][0])},
        "notes": (
            "Ground truth counted by the generator while it generated the rows (not by parsing). "
            "Counting rules as in shared/corpus/README.md: events = records x recipients; kinds per event-id "
            "(DEFER/FAIL with source AGENT -> other; FAIL with 4.4.7 / 5.4.300 / QUEUE.Expired -> expired; "
            "DSN stays dsn). status and connector_daily cover deferred, failed and expired events; "
            "connector_daily groups them per UTC day, connector, kind and outer enhanced code (events, "
            "distinct message ids). Story: Tue 2026-11-17 09:40-14:25 DNS outage for relay.fabrikam.test "
            "(451 4.4.0 ErrorRetry, delivered after recovery); Wed 2026-11-18 06:05-11:50 454 4.7.5 "
            "TlsCertificateName not found on To Litware Secure; Thu 2026-11-19 10:12 on, a firewall refuses "
            "port 25 to mx1.contoso.test (441 4.4.1 Winsock 10061): messages expire after 2 days "
            "('550 4.4.7 QUEUE.Expired; message expired', root cause = last deferral 4.4.1), later ones are "
            "still queued at the end; Sat 2026-11-21 14:00-20:30 451 5.7.3 STARTTLS required at Litware; "
            "typo domains (contosso.test, fabrikan.test, northwnd.test) defer with NonExistentDomain and "
            "expire with 550 5.4.300 (root cause 4.4.0); occasional 5.1.1/5.1.10/5.2.1 recipient rejections "
            "with DSN and NDR delivery; transient 4.2.1/4.2.2/4.4.397->4.4.2/4.7.0/4.7.1 deferrals; "
            "transport-rule zero defers (AGENT DEFER, other), AGENTINFO, HAREDIRECTFAIL."),
    }
    with open(os.path.join(outdir, "EXPECTED.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return expected


# ---------------------------------------------------------------------------
# --bytes

EST_BYTES_PER_MSG = 1520      # calibrated average output per message in bulk mode
BULK_DAYS = 7


def run_bulk(target, out, seed, start_ms):
    # Messages per week at scale 1 (sum of the hourly profile over 5 weekdays and 2 weekend days).
    per_week = sum(HOURLY) * (5 + 2 * WEEKEND_FACTOR)
    scale = max(target / EST_BYTES_PER_MSG / per_week * (7 / BULK_DAYS), 0.01)
    sim = Sim(seed, start_ms, 10 ** 15, "bulk", track=False)
    heap = sim.heap
    pop = heapq.heappop
    written_chars = 0
    records = 0
    events = 0
    nbytes = 0
    buf = []
    hdr = header(start_ms + 31).encode("utf-8")
    done = False
    with open(out, "wb", buffering=0) as f:
        f.write(hdr)
        nbytes += len(hdr)
        written_chars = len(hdr)
        for t in sim.arrivals(start_ms, scale):
            while heap and heap[0][0] < t:
                _, _, line, nev = pop(heap)
                buf.append(line)
                written_chars += len(line)
                records += 1
                events += nev
                if written_chars >= target:
                    done = True
                    break
            if done:
                break
            if len(buf) >= 8192:
                data = "".join(buf).encode("utf-8")
                f.write(data)
                nbytes += len(data)
                buf.clear()
            sim.message(t)
        if buf:
            data = "".join(buf).encode("utf-8")
            f.write(data)
            nbytes += len(data)
    return {"bytes": nbytes, "records": records, "events": events}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--sample", metavar="DIR", help="write the 7-day story logs and EXPECTED.json into DIR")
    g.add_argument("--bytes", metavar="N", help="write about N bytes (suffix K/M/G/T) into --out")
    ap.add_argument("--out", metavar="FILE", help="output file for --bytes")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default 20261116 / 1)")
    ap.add_argument("--start", default="2026-11-16", help="first UTC day for --bytes (YYYY-MM-DD)")
    args = ap.parse_args(argv)
    if args.sample:
        exp = run_sample(args.sample, 20261116 if args.seed is None else args.seed)
        print(json.dumps({"records": exp["records"], "events": exp["events"], "kinds": exp["kinds"],
                          "files": len(exp["files"]), "bytes": sum(f["bytes"] for f in exp["files"])}))
        return 0
    if not args.out:
        ap.error("--bytes needs --out FILE")
    try:
        target = parse_size(args.bytes)
    except ValueError:
        ap.error(f"--bytes: cannot read {args.bytes!r} (examples: 1G, 200M, 5000000)")
    try:
        y, mo, d = (int(x) for x in args.start.split("-"))
    except ValueError:
        ap.error(f"--start: expected YYYY-MM-DD, got {args.start!r}")
    res = run_bulk(target, args.out, 1 if args.seed is None else args.seed,
                   calendar.timegm((y, mo, d, 0, 0, 0)) * 1000)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
