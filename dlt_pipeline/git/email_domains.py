"""Which organisation an author's e-mail domain names, if any: the domain kept beside the hashed
identity, so the warehouse can say which companies build a tool without holding an address.

The loader keeps only the part after `@`, lower-cased, and only when it can be an organisation's
(a company's, a university's, a foundation's). It is dropped (NULL) when the address is:
- at a free-mail or personal-mail provider (`PERSONAL_DOMAINS`, with every country variant of the
  providers in `PERSONAL_PROVIDERS`, e.g. `yahoo.co.uk`, `hotmail.fr`): the domain says nothing
  about an employer and, with the hash beside it, would narrow down a person;
- GitHub's no-reply address (`users.noreply.github.com`, `noreply.github.com`): a person's
  stand-in address;
- a bot's or an automation's (`BOT_MARKERS` in the local part: `dependabot[bot]@...`,
  `noreply@...`, `action@github.com`): not a person working for the domain's owner;
- not a real public domain (`PLACEHOLDER_SUFFIXES`: `localhost`, `*.local`, `example.com`, a
  machine name without a dot, an IP address).

A personal domain (a name at one's own domain) cannot be told from a small company's by its
text; the marts therefore publish a domain only when at least `organisation_domain_min_authors`
distinct hashed authors committed from it (dbt var), and never the address itself, which is not
stored at all.
"""

from __future__ import annotations

import functools
import re

#: Free-mail and personal-mail domains (mailbox providers, internet providers' mail, personal
#: forwarding such as iki.fi) whose addresses say nothing about an employer.
PERSONAL_DOMAINS = frozenset(
    {
        "126.com",
        "139.com",
        "163.com",
        "163.net",
        "188.com",
        "21cn.com",
        "abv.bg",
        "alice.it",
        "aliyun.com",
        "aol.com",
        "arcor.de",
        "att.net",
        "bigpond.com",
        "bk.ru",
        "bluewin.ch",
        "bol.com.br",
        "btinternet.com",
        "comcast.net",
        "cox.net",
        "daum.net",
        "disroot.org",
        "duck.com",
        "email.com",
        "fastmail.com",
        "fastmail.fm",
        "foxmail.com",
        "free.fr",
        "freenet.de",
        "gmail.com",
        "gmx.at",
        "gmx.ch",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hanmail.net",
        "hey.com",
        "hotmail.co.il",
        "hushmail.com",
        "icloud.com",
        "iki.fi",
        "inbox.lv",
        "inbox.ru",
        "interia.pl",
        "keemail.me",
        "kpnmail.nl",
        "laposte.net",
        "libero.it",
        "list.ru",
        "mac.com",
        "mail.com",
        "mail.de",
        "mail.ru",
        "mailbox.org",
        "me.com",
        "msn.com",
        "naver.com",
        "o2.pl",
        "optusnet.com.au",
        "orange.fr",
        "planet.nl",
        "pm.me",
        "pobox.com",
        "posteo.de",
        "posteo.net",
        "proton.me",
        "protonmail.ch",
        "protonmail.com",
        "qq.com",
        "rambler.ru",
        "rediffmail.com",
        "riseup.net",
        "rogers.com",
        "sbcglobal.net",
        "seznam.cz",
        "sfr.fr",
        "shaw.ca",
        "sina.cn",
        "sina.com",
        "skynet.be",
        "sohu.com",
        "t-online.de",
        "telenet.be",
        "terra.com.br",
        "tiscali.it",
        "tom.com",
        "tuta.io",
        "tutamail.com",
        "tutanota.com",
        "ukr.net",
        "uol.com.br",
        "usa.net",
        "verizon.net",
        "vip.qq.com",
        "virgilio.it",
        "walla.co.il",
        "web.de",
        "wp.pl",
        "xs4all.nl",
        "ya.ru",
        "yeah.net",
        "ymail.com",
        "yopmail.com",
        "ziggo.nl",
        "zoho.com",
        "zohomail.com",
    }
)
#: Providers with a domain per country: `<provider>.com`, `.<cc>`, `.co.<cc>` or `.com.<cc>`
#: (`yahoo.co.uk`, `hotmail.fr`, `yandex.ru`, `outlook.com.br`) is personal mail.
PERSONAL_PROVIDERS = ("hotmail", "live", "outlook", "yahoo", "yandex", "windowslive")
_PROVIDER_DOMAIN = re.compile(
    r"^(" + "|".join(PERSONAL_PROVIDERS) + r")\.(com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$"
)
#: GitHub's stand-in addresses for people who keep theirs private.
NOREPLY_DOMAINS = frozenset({"users.noreply.github.com", "noreply.github.com"})
#: Local parts (before `@`) of automated authors, as whole words (`[bot]`, `noreply`, `action`).
BOT_MARKERS = re.compile(r"(\[bot\]|(^|[^a-z])(bot|bots|noreply|no-reply|actions?|ci)([^a-z]|$))")
#: Domains that are not a public organisation's: local machines, documentation placeholders.
PLACEHOLDER_SUFFIXES = (
    ".local",
    ".localdomain",
    ".lan",
    ".home",
    ".internal",
    ".invalid",
    ".test",
    ".example",
)
#: Documentation placeholders (RFC 2606), with any subdomain of them.
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net")
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def is_personal_domain(domain: str) -> bool:
    """A free-mail or personal-mail provider's domain (`gmail.com`, `yahoo.co.uk`)."""
    return domain in PERSONAL_DOMAINS or bool(_PROVIDER_DOMAIN.match(domain))


def is_placeholder_domain(domain: str) -> bool:
    """A local machine's or a documentation placeholder's domain (`x.local`, `example.com`)."""
    return domain.endswith(PLACEHOLDER_SUFFIXES) or any(
        domain == p or domain.endswith("." + p) for p in PLACEHOLDER_DOMAINS
    )


@functools.lru_cache(maxsize=65536)
def organisation_domain(email: str) -> str | None:
    """The lower-cased domain of `email` when it can name an organisation, else None.

    `Jane@Acme-Corp.io` -> `acme-corp.io`; `jane@gmail.com`, `1+jane@users.noreply.github.com`,
    `dependabot[bot]@...`, `root@localhost` and anything that is not an address -> None.
    """
    local, at, domain = email.strip().lower().rpartition("@")
    if not at or not local or not _DOMAIN.match(domain):
        return None
    if domain in NOREPLY_DOMAINS or is_personal_domain(domain):
        return None
    if is_placeholder_domain(domain) or BOT_MARKERS.search(local):
        return None
    return domain
