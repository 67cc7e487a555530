"""Errors a user can act on.  Their message is one Chinese line; the CLI prints it and exits 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad usage or input: the message says what went wrong and what to do."""

    exit_code = 2
