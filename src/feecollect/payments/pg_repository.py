"""A first-time payment callback on PostgreSQL in two statements, each its own transaction: one read
of everything the rules need, one write of everything a payment makes. The write is atomic (one
statement) and guarded by the notice still being issued, so a callback that raced another is told
apart by the write's empty answer, never paid twice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from feecollect.payments.rules import LookupFacts, NoticeFacts
from feecollect.payments.service import NewPayment

AUDIT_TEXT = ("recorded_at", "actor", "role", "action", "object_type", "object_id", "content_hash")

READ = text(
    """
SELECT k.bank_code, k.encrypted_secret, b.lookup_required,
       EXISTS (SELECT 1 FROM payments p WHERE p.bank_code = k.bank_code AND p.bank_txn_id = :txn)
    OR EXISTS (SELECT 1 FROM late_callbacks c WHERE c.bank_code = k.bank_code AND c.bank_txn_id = :txn)
       AS seen,
       n.id, n.payment_code, n.status, n.amount_fen, n.due_date, n.issued_at, n.project_id,
       l.confirm_code, l.looked_up_at, l.expires_at,
       (SELECT json_agg(json_build_array(d.department_code, d.amount) ORDER BY d.department_code)
          FROM (SELECT department_code, sum(amount_fen) AS amount FROM notice_lines
                 WHERE notice_id = n.id GROUP BY department_code) d) AS by_department
  FROM bank_keys k
  JOIN banks b ON b.code = k.bank_code
  LEFT JOIN notices n ON n.payment_code = :code
  LEFT JOIN notice_lookups l ON l.bank_code = k.bank_code AND l.notice_id = n.id
 WHERE k.key_id = :key AND k.retired_at IS NULL
"""
)

WRITE = text(
    """
WITH paid AS (
    UPDATE notices SET status = 'paid', closed_at = :now
     WHERE id = :notice_id AND status = 'issued'
 RETURNING id
), payment AS (
    INSERT INTO payments (bank_code, bank_txn_id, notice_id, payment_code, amount_fen, paid_at,
                          business_date, payer_name, payer_account, channel, body_hash, received_at)
    SELECT :bank_code, :txn, id, :code, :amount, :paid_at, :business_date, :payer_name, :payer_account,
           :channel, :body_hash, :now
      FROM paid
 RETURNING id
), nonce AS (
    INSERT INTO bank_nonces (key_id, nonce, seen_at) SELECT :key, :nonce, :now FROM paid
), ledger AS (
    INSERT INTO ledger_transactions (kind, reference, memo, business_date, created_at)
    SELECT 'payment', :reference, :memo, :business_date, :now FROM paid
 RETURNING id
), postings AS (
    INSERT INTO ledger_postings (transaction_id, account, amount_fen)
    SELECT ledger.id, p.account, p.amount
      FROM ledger, json_to_recordset(CAST(:postings AS json)) AS p(account text, amount bigint)
), audit AS (
    INSERT INTO audit_entries (recorded_at, actor, role, action, object_type, object_id, before, after,
                               content_hash)
    SELECT :recorded_at, :actor, :role, :action, :object_type, :object_id, CAST(:before AS json),
           CAST(:after AS json), :content_hash
      FROM paid
)
SELECT id FROM payment
"""
)


@dataclass(frozen=True, slots=True)
class StoredFacts:
    """What the read found: the key (None when unknown or retired), and the notice when there is one."""

    bank_code: str
    encrypted_secret: bytes
    lookup_required: bool
    seen: bool  # this bank's transaction id is known already: a replay or a conflict
    notice_id: int | None
    notice: NoticeFacts | None
    is_bundle: bool
    lookup: LookupFacts | None
    by_department: list[tuple[str, int]]


def read(connection: Connection, key_id: str, bank_txn_id: str, payment_code: str) -> StoredFacts | None:
    row = connection.execute(READ, {"key": key_id, "txn": bank_txn_id, "code": payment_code}).first()
    if row is None:
        return None
    notice = None
    if row.id is not None:
        notice = NoticeFacts(row.payment_code, row.status, row.amount_fen, row.due_date, row.issued_at)
    lookup = None
    if row.confirm_code is not None:
        lookup = LookupFacts(row.confirm_code, row.looked_up_at, row.expires_at)
    return StoredFacts(
        row.bank_code,
        bytes(row.encrypted_secret),
        bool(row.lookup_required),
        bool(row.seen),
        row.id,
        notice,
        row.project_id is not None,
        lookup,
        [(department, int(amount)) for department, amount in row.by_department or ()],
    )


def write(
    connection: Connection,
    payment: NewPayment,
    *,
    key_id: str,
    nonce: str,
    memo: str,
    postings: list[tuple[str, int]],
    audit_entry: dict[str, Any],
) -> int | None:
    """The new payment's id, or None when the notice was no longer issued (another callback won)."""
    return connection.execute(
        WRITE,
        {
            "now": payment.received_at,
            "notice_id": payment.notice_id,
            "bank_code": payment.bank_code,
            "txn": payment.bank_txn_id,
            "code": payment.payment_code,
            "amount": payment.amount_fen,
            "paid_at": payment.paid_at,
            "business_date": payment.business_date,
            "payer_name": payment.payer_name,
            "payer_account": payment.payer_account,
            "channel": payment.channel,
            "body_hash": payment.body_hash,
            "key": key_id,
            "nonce": nonce,
            "reference": f"{payment.bank_code}:{payment.bank_txn_id}",
            "memo": memo,
            "postings": json.dumps([{"account": a, "amount": f} for a, f in postings]),
            **{name: audit_entry[name] for name in AUDIT_TEXT},
            "before": json.dumps(audit_entry["before"], ensure_ascii=False),
            "after": json.dumps(audit_entry["after"], ensure_ascii=False),
        },
    ).scalar()
