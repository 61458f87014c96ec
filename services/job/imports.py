"""What the job service's batch imports (批量导入) accept: spreadsheet rows, checked all before
any is stored."""
from marshmallow import ValidationError, fields, validate, validates_schema

from services.job.schemas import NAME, PostingFields, _optional
from shared.schemas import Schema


class ImportRows(Schema):
    """批量导入: the rows, checked all before any is stored; `dry_run` only checks."""
    rows = fields.List(fields.Raw(), required=True, validate=validate.Length(
        min=1, max=1000, error="一次导入 1 至 1000 行。"))
    dry_run = fields.Boolean(load_default=False)


class ImportPosting(PostingFields):
    """A posting row of a spreadsheet: its employer by name (and community, where two
    communities have employers of that name)."""
    employer_name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    community = _optional(fields.String, validate=NAME)

    @validates_schema
    def says_when(self, data, **kwargs):
        if not data.get("hours_flexible") and not data.get("work_schedule") \
                and not data.get("work_hours"):
            raise ValidationError("请填写工作时间,或注明时间灵活。", "work_schedule")
