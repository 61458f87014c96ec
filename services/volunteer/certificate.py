"""The 志愿服务记录证明 as a complete, print-friendly HTML page: a pure function of the
certificate as `schemas.present_certificate` shows it, with no I/O. Browsers print it to
paper or PDF on A4; the gateway serves it as it is."""
from __future__ import annotations

from datetime import date
from html import escape

from shared import clock

STYLE = """
@page { size: A4; margin: 18mm 20mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #111; background: #fff;
       font-family: "Songti SC", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC", serif;
       font-size: 12pt; line-height: 1.8; }
.certificate { position: relative; max-width: 170mm; margin: 0 auto; padding: 8mm 0; }
h1 { text-align: center; font-size: 24pt; letter-spacing: 0.4em; margin: 0 0 4mm; }
.number { text-align: right; font-size: 10.5pt; margin: 0 0 6mm; }
.statement { text-indent: 2em; margin: 0 0 2mm; }
.closing { text-indent: 2em; margin: 0 0 6mm; }
table { width: 100%; border-collapse: collapse; font-size: 10.5pt; line-height: 1.5; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #333; padding: 1.5mm 2mm; vertical-align: top; }
th { background: #f2f2f2; font-weight: bold; }
td.n, td.hours, th.hours { text-align: right; white-space: nowrap; }
td.date { white-space: nowrap; }
tfoot td { font-weight: bold; }
.issuer { margin: 12mm 0 0 auto; width: 80mm; text-align: left; }
.issuer p { margin: 0; }
.seal { color: #888; font-size: 10pt; }
.notes { margin-top: 10mm; font-size: 9pt; color: #444; line-height: 1.6;
         border-top: 1px solid #999; padding-top: 3mm; }
.revoked { border: 2px solid #b00; color: #b00; padding: 3mm; margin: 0 0 6mm;
           text-align: center; font-weight: bold; }
.revoked-mark { position: absolute; top: 90mm; left: 0; right: 0; text-align: center;
                font-size: 72pt; color: rgba(176, 0, 0, 0.15); transform: rotate(-20deg);
                pointer-events: none; }
@media screen { body { background: #eee; }
  .certificate { background: #fff; padding: 18mm 20mm; margin: 10mm auto;
                 box-shadow: 0 0 4mm rgba(0, 0, 0, 0.2); max-width: 210mm; } }
"""


def render(cert: dict) -> str:
    """The whole page for one certificate (a dict as `present_certificate` returns it)."""
    e = _escape_all(cert)
    revoked = cert["state"] != "valid"
    rows = "\n".join(
        f"<tr><td class=\"n\">{n}</td><td class=\"date\">{_date(line['date'])}</td>"
        f"<td>{escape(line['content'])}</td><td class=\"hours\">{_hours(line['hours'])}</td>"
        f"</tr>" for n, line in enumerate(cert["lines"], 1))
    notice = ""
    if revoked:
        when = _date(clock.local_date(clock.parse_iso(cert["revoked_at"])).isoformat()) \
            if cert.get("revoked_at") else ""
        reason = escape(cert.get("revoke_reason") or "")
        notice = (f"<div class=\"revoked\">本证明已于{when}作废"
                  f"{'(' + reason + ')' if reason else ''},不再具有证明效力。</div>"
                  f"<div class=\"revoked-mark\" aria-hidden=\"true\">作废</div>")
    issued_on = _date(clock.local_date(clock.parse_iso(cert["issued_at"])).isoformat())
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>志愿服务记录证明 {e['number']}</title>
<style>{STYLE}</style>
</head>
<body>
<main class="certificate">
{notice}
<h1>志愿服务记录证明</h1>
<p class="number">证明编号:{e['number']}</p>
<p class="statement">兹证明 <strong>{e['volunteer_name']}</strong>(居民身份证号码:{e['id_number_masked']},\
志愿者编号:{e['volunteer_id']})于 {_date(cert['from_date'])} 至 {_date(cert['to_date'])} 期间,\
参加由{e['issuer']}组织的志愿服务活动 {cert['services']} 次,累计志愿服务时长 \
<strong>{_hours(cert['total_hours'])} 小时</strong>。具体服务记录如下:</p>
<table>
<thead><tr><th>序号</th><th>服务日期</th><th>服务内容</th><th class="hours">时长(小时)</th></tr></thead>
<tbody>
{rows}
</tbody>
<tfoot><tr><td colspan="3">合计</td><td class="hours">{_hours(cert['total_hours'])}</td></tr></tfoot>
</table>
<p class="closing">特此证明。</p>
<div class="issuer">
<p>出具单位:{e['issuer']}</p>
<p class="seal">(盖章)</p>
<p>经办人:{escape(cert['issued_by']['name'])}</p>
<p>出具日期:{issued_on}</p>
</div>
<div class="notes">
<p>1. 本证明依据《志愿服务记录与证明出具办法》出具,按照“谁组织谁记录、谁记录谁证明”的原则,\
仅证明由出具单位组织并记录的志愿服务;服务时长以出具单位的志愿服务记录为准。</p>
<p>2. 任何单位和个人均可凭证明编号 {e['number']} 向出具单位查验本证明的真实性。</p>
<p>3. 本证明涂改无效。</p>
</div>
</main>
</body>
</html>
"""


def _escape_all(cert: dict) -> dict:
    return {k: escape(str(v)) if isinstance(v, (str, int, float)) else v
            for k, v in cert.items()}


def _date(iso_date: str) -> str:
    day = date.fromisoformat(iso_date[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def _hours(hours: float) -> str:
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text or "0"
