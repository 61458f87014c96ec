"""The 志愿服务记录证明 as a complete, print-friendly HTML page: a pure function of the
certificate as `views.CertificateView` shows it, with no I/O but reading its templates once.
Browsers print it to paper or PDF on A4; the gateway serves it as it is.

Given the address of its public check (`check_url`, the gateway's
/public/certificates/<number>), the page carries it as a QR code (segno, as inline SVG) beside
the issuer, so that whoever holds the paper scans it to see whether it is still valid.

The page is `templates/certificate.html`, one line of the record `certificate_line.html` and
the notice of a revoked certificate `certificate_revoked.html`, filled in with
`string.Template`: every value is HTML-escaped before it goes in, except the fragments made
here from the templates themselves.
"""
from __future__ import annotations

import io
from datetime import date
from html import escape
from pathlib import Path
from string import Template

import segno

from shared import clock

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8").rstrip("\n"))


PAGE = _template("certificate.html")
CHECK = _template("certificate_check.html")
LINE = _template("certificate_line.html")
REVOKED = _template("certificate_revoked.html")


def qr_svg(url: str, scale: int = 3, standalone: bool = False) -> str:
    """A QR code of `url` (error correction M) as an SVG element for a page, or `standalone`
    as an SVG document of its own (an image file, with its namespace)."""
    code = segno.make(url, error="m")
    if not standalone:
        return code.svg_inline(scale=scale, title="扫码核验")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, title="扫码核验", encoding="utf-8")
    return out.getvalue().decode("utf-8")


def render(cert: dict, check_url: str | None = None) -> str:
    """The whole page for one certificate (a dict as `CertificateView` dumps it), with the QR
    code of its public check when its address is given."""
    lines = "\n".join(fill(LINE, n=n, date=_date(line["date"]), content=line["content"],
                           hours=_hours(line["hours"]))
                      for n, line in enumerate(cert["lines"], 1))
    notice = ""
    if cert["state"] != "valid":
        when = _date(clock.local_date(clock.parse_iso(cert["revoked_at"])).isoformat()) \
            if cert.get("revoked_at") else ""
        reason = cert.get("revoke_reason") or ""
        notice = fill(REVOKED, when=when, reason=f"({reason})" if reason else "")
    issued_on = _date(clock.local_date(clock.parse_iso(cert["issued_at"])).isoformat())
    check = fill(CHECK, safe={"qr": qr_svg(check_url)}, url=check_url) if check_url else ""
    return fill(PAGE, safe={"notice": notice, "lines": lines, "check": check},
                number=cert["number"],
                volunteer_name=cert["volunteer_name"],
                id_number_masked=cert["id_number_masked"], volunteer_id=cert["volunteer_id"],
                from_date=_date(cert["from_date"]), to_date=_date(cert["to_date"]),
                issuer=cert["issuer"], services=cert["services"],
                total_hours=_hours(cert["total_hours"]), issued_by=cert["issued_by"]["name"],
                issued_on=issued_on) + "\n"


def fill(template: Template, safe: dict | None = None, **values) -> str:
    """The template with every value escaped, and the `safe` fragments (made from templates
    by this module) as they are."""
    return template.substitute({**{name: escape(str(value)) for name, value in values.items()},
                                **(safe or {})})


def _date(iso_date: str) -> str:
    day = date.fromisoformat(iso_date[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def _hours(hours: float) -> str:
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text or "0"
