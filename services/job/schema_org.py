"""A job posting as schema.org JobPosting (JSON-LD), for job boards and search engines: the view
documents the shape and presents a posting (`SchemaOrgJobPostingView().dump(posting)`)."""
from marshmallow import fields, post_dump

from services.job import domain
from shared.schemas import derived, Instant, required_text, Schema, View


def _ld(key: str, field: fields.Field) -> fields.Field:
    """A JSON-LD property ("@type") under its own name, in the answer and in what is dumped."""
    field.data_key = field.attribute = key
    return field


class _LdIdentifier(Schema):
    type_ = _ld("@type", required_text())
    name = required_text()
    value = required_text()


class _LdOrganization(Schema):
    type_ = _ld("@type", required_text())
    name = required_text()


class _LdAddress(Schema):
    type_ = _ld("@type", required_text())
    streetAddress = required_text()
    addressLocality = required_text()
    addressCountry = required_text()


class _LdGeo(Schema):
    type_ = _ld("@type", required_text())
    latitude = fields.Float(required=True)
    longitude = fields.Float(required=True)


class _LdPlace(Schema):
    type_ = _ld("@type", required_text())
    address = fields.Nested(_LdAddress, required=True)
    geo = fields.Nested(_LdGeo)                      # when the posting has a location


class _LdValue(Schema):
    type_ = _ld("@type", required_text())
    unitText = required_text()
    minValue = fields.Float(required=True)
    maxValue = fields.Float()


class _LdSalary(Schema):
    type_ = _ld("@type", required_text())
    currency = required_text()
    value = fields.Nested(_LdValue, required=True)


class SchemaOrgJobPostingView(View):
    """schema.org JobPosting as JSON-LD; optional properties appear only with a value."""
    context = _ld("@context", derived("get_context"))
    type_ = _ld("@type", derived("get_type"))
    identifier = derived("get_identifier", fields.Nested, _LdIdentifier)
    title = required_text()
    description = required_text()
    datePosted = Instant(attribute="posted_at", required=True)
    validThrough = Instant(attribute="valid_through", required=True)
    employmentType = fields.String(attribute="employment_type", required=True)
    hiringOrganization = derived("get_hiring_organization", fields.Nested, _LdOrganization)
    jobLocation = derived("get_job_location", fields.Nested, _LdPlace)
    workHours = derived("get_work_hours")
    totalJobOpenings = fields.Integer(attribute="openings", required=True)
    skills = derived("get_skills", required=False)
    qualifications = fields.String(attribute="requirements")
    baseSalary = derived("get_base_salary", fields.Nested, _LdSalary, required=False)

    def get_context(self, posting) -> str:
        return "https://schema.org/"

    def get_type(self, posting) -> str:
        return "JobPosting"

    def get_identifier(self, posting) -> dict:
        return {"@type": "PropertyValue", "name": "绣花", "value": posting.posting_id}

    def get_hiring_organization(self, posting) -> dict:
        return {"@type": "Organization", "name": posting.employer_name}

    def get_job_location(self, posting) -> dict:
        place = {"@type": "Place", "address": {
            "@type": "PostalAddress", "streetAddress": posting.address,
            "addressLocality": posting.community, "addressCountry": "CN"}}
        if posting.location:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": posting.location["lat"],
                            "longitude": posting.location["long"]}
        return place

    def get_work_hours(self, posting) -> str:
        return posting.work_hours or (
            "时间灵活" if posting.hours_flexible else domain.schedule_text(posting.work_schedule))

    def get_skills(self, posting) -> str | None:
        return "、".join(posting.skills) or None

    def get_base_salary(self, posting) -> dict | None:
        if not posting.salary:
            return None
        value = {"@type": "QuantitativeValue", "unitText": posting.salary["unit"],
                 "minValue": posting.salary["min"]}
        if posting.salary.get("max"):
            value["maxValue"] = posting.salary["max"]
        return {"@type": "MonetaryAmount", "currency": "CNY", "value": value}

    @post_dump
    def only_given(self, document: dict, **kwargs) -> dict:
        return {key: value for key, value in document.items() if value is not None}
