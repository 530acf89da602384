"""Every ORM model, imported in one place so that Alembic (and a test that counts rows in every table)
sees the whole schema. It stands above the domains, as the migrations do."""

from feecollect.audit.models import AuditCheckpoint, AuditEntry
from feecollect.bank.models import Bank, BankKey, BankNonce
from feecollect.cases.models import Case, CaseItem
from feecollect.db.base import Base
from feecollect.einvoices.models import Bill, BillCounter, SigningKey
from feecollect.ledger.models import LedgerPosting, LedgerTransaction
from feecollect.notices.models import Notice, NoticeLine, PaymentCodeSequence
from feecollect.payments.models import LateCallback, NoticeLookup, Payment
from feecollect.projects.models import Project, ProjectSettlement
from feecollect.proposals.models import Proposal
from feecollect.reconcile.models import (
    BankAccount,
    ReconciliationException,
    ReconciliationFinding,
    ReconciliationRegression,
    ReconciliationRun,
    StatementFile,
    StatementLine,
)
from feecollect.refunds.models import RefundOrder
from feecollect.schedules.models import FeeItemVersion
from feecollect.users.models import User
from feecollect.web.models import SignInFailure, WebSession

__all__ = [
    "AuditCheckpoint",
    "AuditEntry",
    "Bank",
    "BankAccount",
    "BankKey",
    "BankNonce",
    "Base",
    "Bill",
    "BillCounter",
    "Case",
    "CaseItem",
    "FeeItemVersion",
    "LateCallback",
    "LedgerPosting",
    "LedgerTransaction",
    "Notice",
    "NoticeLine",
    "NoticeLookup",
    "Payment",
    "PaymentCodeSequence",
    "Project",
    "ProjectSettlement",
    "Proposal",
    "ReconciliationException",
    "ReconciliationFinding",
    "ReconciliationRegression",
    "ReconciliationRun",
    "RefundOrder",
    "SignInFailure",
    "SigningKey",
    "StatementFile",
    "StatementLine",
    "User",
    "WebSession",
]
