"""Request bodies for API tests. Identity numbers carry valid check characters (python-stdnum)."""

from __future__ import annotations

from typing import Any

USCC = "91110000600037341L"
USCC_2 = "91110000MA0000001L"
RIC = "11010519491231002X"
RIC_2 = "430321199001010024"


def case_body(
    case_no: str = "C-0001",
    *,
    department: str = "ZRZY",
    id_type: str = "uscc",
    id_no: str = USCC,
    name: str = "示范市星河商贸有限公司",
    items: list[dict[str, Any]] | None = None,
    flags: list[str] | None = None,
    service_date: str = "2026-11-20",
) -> dict[str, Any]:
    return {
        "case_no": case_no,
        "window": "W01",
        "department": department,
        "service_date": service_date,
        "applicant": {"name": name, "id_type": id_type, "id_no": id_no},
        "payer": {"flags": flags or []},
        "items": items
        if items is not None
        else [{"item": "XZ-BDC-002"}, {"item": "XZ-BDC-003", "quantity": "2"}],
    }
