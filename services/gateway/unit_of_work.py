"""The gateway's database: accounts, sessions, API keys, failed sign-ins and the audit log
(services/gateway/auth.py and audit.py say what each holds and read it themselves)."""
from services.gateway.auth import INDEXES
from shared.unit_of_work import UnitOfWork


class GatewayUnitOfWork(UnitOfWork):
    indexes = INDEXES
