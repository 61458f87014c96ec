"""The office's periodic report: figures gathered from the services (figures.py), laid out
as an Excel workbook with native charts (xlsx.py) or a printable PDF with its Chinese font
embedded (pdf.py)."""
from services.gateway.reporting import figures

FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "pdf": "application/pdf"}


def render(report: dict, wanted_format: str) -> tuple[bytes, str]:
    if wanted_format == "pdf":
        from services.gateway.reporting import pdf  # reportlab is needed only for PDF
        return pdf.render(report), CONTENT_TYPES["pdf"]
    from services.gateway.reporting import xlsx
    return xlsx.render(report), CONTENT_TYPES["xlsx"]


def filename(report: dict, wanted_format: str) -> str:
    return f"广陵街道工作报表-{report['where']}-{report['period']}.{wanted_format}"


__all__ = ["CONTENT_TYPES", "FORMATS", "figures", "render", "filename"]
