"""志愿服务记录证明: issued from the ledger by the body that recorded the hours, verified by
anyone holding a number, printed as a page, revoked by staff."""
from __future__ import annotations

import secrets

from services.volunteer import certificate, ledger, schemas
from services.volunteer.views import CertificateView, VerificationView
from shared import clock
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


@command
def issue(uow, actor: dict, command: dict) -> dict:
    """志愿服务记录证明 over a period, by the body that organised and recorded the service:
    only that body's entries count. The number is taken once the certificate may be issued."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.IssueCertificate(), command)
    volunteer = uow.volunteers.get(command["volunteer_id"])
    entries = uow.ledger.entries_of(volunteer.id, command["issuer"],
                                    command["from_date"].isoformat(),
                                    command["to_date"].isoformat())
    year = clock.local_date(uow.now).year
    cert = ledger.certificate("", volunteer, command["issuer"], command["from_date"],
                              command["to_date"], entries, actor, uow.now)
    cert["number"] = ledger.certificate_number(
        year, uow.certificates.next_sequence(year),
        "".join(secrets.choice(ledger.CHECK_ALPHABET) for _ in range(4)))
    uow.certificates.add(cert)
    uow.emit(*ledger.certificate_issued_event(cert, actor))
    return CertificateView(now=uow.now).dump(cert)


@query
def get(uow, number: str) -> dict:
    return CertificateView(now=uow.now).dump(uow.certificates.get(number))


@query
def verify(uow, number: str) -> dict:
    """For anyone holding a certificate: is this number real and valid, and what does it
    certify."""
    return VerificationView(now=uow.now).dump(uow.certificates.get(number.strip().upper()))


@query
def render(uow, number: str, check_url: str | None = None) -> dict:
    """The certificate as a complete, printable HTML page (the gateway serves it), with the QR
    code of its public check at `check_url` when given."""
    view = get(uow, number)
    if check_url is not None:
        load(schemas.CheckUrl(), {"check_url": check_url})
    return {"number": view["number"], "content_type": "text/html; charset=utf-8",
            "filename": f"{view['number']}.html",
            "html": certificate.render(view, check_url)}


@command
def revoke(uow, number: str, actor: dict, command: dict) -> dict:
    actor = load(ActorSchema(), actor)
    reason = load(schemas.Reason(), command)["reason"]
    cert = uow.certificates.get(number)
    uow.emit(*ledger.revoke_certificate(cert, actor, uow.now, reason))
    uow.certificates.save(cert)
    return CertificateView(now=uow.now).dump(cert)


@query
def page(uow, query: dict) -> dict:
    query = load(schemas.ListCertificates(), query)
    page = uow.certificates.page(query)
    return {**page, "items": CertificateView(many=True, now=uow.now).dump(page["items"])}
