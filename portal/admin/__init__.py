"""Administration: user accounts and their roles, staff accounts, the audit log, and the
`flask create-admin` command that makes the first administrator.

The rules (no self-demotion, never zero administrators, erased accounts are frozen) live in
`services.py`, callable from views, the CLI and tests alike.
"""
