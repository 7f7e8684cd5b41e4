"""Roles and permissions, as data, checked in one place (:func:`require`)."""

from __future__ import annotations

from dataclasses import dataclass


class PermissionDenied(PermissionError):
    """The user's role does not allow the action."""


#: every permission the code checks
PERMISSIONS = {
    "read_aggregates": "see cube numbers, maps and reports (within the user's regions)",
    "read_customers": "see individual customer records (cards, lists, points on the map)",
    "read_pii": "see contact fields (phone, ID number, address, name) unmasked",
    "unmask": "reveal one customer's masked fields on request (logged)",
    "export": "download lists and reports",
    "edit_service": "create and edit service records (visits, complaints, notes)",
    "merge_customers": "merge duplicate customers and undo merges (logged)",
    "assign_accounts": "assign key accounts to account managers and reassign them (logged)",
    "prepare_notice": "prepare planned-outage notification lists",
    "manage_users": "add, disable and change accounts",
    "view_audit": "search and verify the audit log",
}


@dataclass(frozen=True)
class Role:
    name: str
    label_en: str
    label_zh: str
    permissions: frozenset[str]
    region_scoped: bool  # True: sees only the regions assigned to the user


ROLES: dict[str, Role] = {r.name: r for r in (
    Role("admin", "Administrator", "系统管理员", frozenset(PERMISSIONS), False),
    Role("regional_manager", "Regional manager", "区域经理",
         frozenset({"read_aggregates", "read_customers", "unmask", "assign_accounts"}), True),
    Role("planner", "Planner", "规划人员",
         frozenset({"read_aggregates", "read_customers", "export", "prepare_notice"}), True),
    Role("analyst", "Analyst", "分析人员", frozenset({"read_aggregates", "export"}), False),
    Role("service_agent", "Service agent", "客服人员",
         frozenset({"read_aggregates", "read_customers", "read_pii", "edit_service",
                    "prepare_notice", "merge_customers"}), True),
)}


def role(name: str) -> Role:
    try:
        return ROLES[name]
    except KeyError:
        raise ValueError(f"unknown role {name!r}; valid roles: {', '.join(ROLES)}") from None


def allowed(role_name: str, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return permission in role(role_name).permissions


def require(role_name: str, permission: str) -> None:
    if not allowed(role_name, permission):
        raise PermissionDenied(f"role {role_name!r} may not {PERMISSIONS[permission]}")
