"""Security: roles as data, accounts, region scope, PII masking, tamper-evident audit."""

from gcrm.security.accounts import AccountError, AuthError, Principal, authenticate
from gcrm.security.masking import mask_frame
from gcrm.security.roles import ROLES, PermissionDenied, allowed, require

__all__ = ["ROLES", "AccountError", "AuthError", "PermissionDenied", "Principal", "allowed",
           "authenticate", "mask_frame", "require"]
